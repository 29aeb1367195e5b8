// The Bitrix24 connector as a runnable spec: what main.ts runs, and what the end-to-end stack and the demo start
// in-process. Source and sink share one portal client (one limiter, one token refresh); in OAuth mode it can only
// be made once the application is installed, so it is built on first use.
import type { Bitrix24Client } from '@esb/bitrix24-client';
import type { RunSpec } from '@esb/connector-kit';
import { AppModule, sinkBusinessKeys } from './app.module.ts';
import { portalClient } from './client.ts';
import { ensureUserFields } from './sink/userfields.ts';
import { BITRIX24_MIGRATIONS } from './sink/catalog-migration.ts';
import { registerSource, SOURCE_EMITS } from './source/index.ts';

export const BITRIX24_SERVICE = 'connector-bitrix24';
/** The poller that creates missing custom fields (`c.poll(USERFIELDS_JOB)` runs it now). */
export const USERFIELDS_JOB = 'b24-userfields';

export const bitrix24Connector: RunSpec = {
  service: BITRIX24_SERVICE,
  kinds: ['bitrix24'],
  options: {
    emits: [...SOURCE_EMITS],
    sink: { module: AppModule, businessKeys: sinkBusinessKeys },
    storeMigrations: BITRIX24_MIGRATIONS,
    // Ready when the portal answers a cheap authenticated call (after installation, in OAuth mode).
    probe: async (c) => void (await (await portalClient(c)).call('user.current')),
  },
  build: async (c) => {
    let client: Promise<Bitrix24Client> | undefined;
    const shared = (): Promise<Bitrix24Client> => {
      client ??= portalClient(c).catch((e: unknown) => {
        client = undefined;
        throw e;
      });
      return client;
    };
    registerSource(c, shared);
    // Custom fields the sink writes: checked at start and then hourly. In OAuth mode before installation the portal
    // cannot be called yet; the poller retries with backoff, so the fields exist moments after ONAPPINSTALL.
    c.every(USERFIELDS_JOB, 3_600_000, async () => ensureUserFields(c, await shared()));
  },
};
