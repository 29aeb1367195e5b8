// The OData client of this deployment's 1C database: Basic auth, keep-alive, the per-database concurrency cap.
import { OneCClient } from '@esb/onec-client';
import type { Connector } from '@esb/connector-kit';
import { onecConfig } from './config.ts';

export function onecClient(c: Connector): OneCClient {
  const { system } = onecConfig(c);
  return new OneCClient({ baseUrl: system.url, user: system.auth.user, password: system.auth.password.reveal(), maxConcurrency: system.maxConcurrency, logger: c.logger });
}
