// The portal client of this deployment: an incoming webhook (`auth.mode: webhook`) or the OAuth application whose
// tokens the installation stored (`auth.mode: oauth`), both through the one limiter of the portal.
import { Bitrix24Client, OAuthAuth, WebhookAuth, type Bitrix24Auth } from '@esb/bitrix24-client';
import type { Connector } from '@esb/connector-kit';
import { b24Config } from './config.ts';

/** Where the OAuth token endpoint lives: the Bitrix24 cloud's server, or the sandbox URL in tests. */
export const oauthServer = (env: NodeJS.ProcessEnv = process.env): string => env.B24_OAUTH_SERVER ?? 'https://oauth.bitrix.info';

export async function portalAuth(c: Connector, env: NodeJS.ProcessEnv = process.env): Promise<Bitrix24Auth> {
  const { system } = b24Config(c);
  if (system.auth.mode === 'webhook') {
    return new WebhookAuth(`${system.url.replace(/\/$/, '')}/rest/${system.auth.userId}/${system.auth.code.reveal()}/`);
  }
  // One portal per deployment: the installation stored exactly one row (ONAPPINSTALL or the code flow).
  const rows: Array<{ member_id: string }> = await c.store.dataSource.query(`SELECT member_id FROM oauth_token WHERE client_id = $1 ORDER BY updated_at DESC LIMIT 1`, [system.auth.clientId]);
  const memberId = env.B24_MEMBER_ID ?? rows[0]?.member_id;
  if (!memberId) throw new Error(`portal ${c.systemId} (${system.url}) has no OAuth tokens yet: install the application in the portal (ONAPPINSTALL reaches POST /webhooks/bitrix24/${c.systemId})`);
  return new OAuthAuth({ clientId: system.auth.clientId, clientSecret: system.auth.clientSecret.reveal(), oauthServer: oauthServer(env), store: c.store, memberId });
}

export async function portalClient(c: Connector, env: NodeJS.ProcessEnv = process.env): Promise<Bitrix24Client> {
  const { system } = b24Config(c);
  // The bucket lives in the deployment's store, so every replica of this connector shares the portal's one limit.
  return new Bitrix24Client({ auth: await portalAuth(c, env), limits: { burst: system.limits.burst, leakPerSec: system.limits.perSecond, operatingLimitSec: system.limits.operatingBudgetSeconds }, store: c.store, logger: c.logger });
}
