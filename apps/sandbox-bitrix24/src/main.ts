// Runs the Bitrix24 sandbox on its own: PORT (default 8124), HOST, PUBLIC_URL, SEED_FILE (JSON, README "Seed format").
import { readFileSync } from 'node:fs';
import { DEFAULT_APP, DEFAULT_WEBHOOK } from './portal/portal.ts';
import type { PhpMap } from './rest/php.ts';
import { startBitrix24Sandbox } from './server.ts';

const seedFile = process.env.SEED_FILE;
const seed = seedFile ? (JSON.parse(readFileSync(seedFile, 'utf8')) as PhpMap) : undefined;
const sb = await startBitrix24Sandbox({
  port: Number(process.env.PORT ?? 8124),
  host: process.env.HOST ?? '127.0.0.1',
  ...(process.env.PUBLIC_URL ? { publicUrl: process.env.PUBLIC_URL } : {}),
  ...(seed ? { seed } : {}),
});
const base = sb.portal.baseUrl;
console.log(`sandbox-bitrix24 listening on ${sb.url}`);
console.log(`  incoming webhook: ${base}/rest/${DEFAULT_WEBHOOK.userId}/${DEFAULT_WEBHOOK.code}/`);
console.log(`  OAuth app:        client_id=${DEFAULT_APP.clientId} client_secret=${DEFAULT_APP.clientSecret} (tokens: POST ${base}/_admin/tokens/issue)`);
console.log(`  token endpoint:   ${base}/oauth/token/   admin API: ${base}/_admin/state`);
if (seedFile) console.log(`  seeded from ${seedFile}`);
const stop = (): void => void sb.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
