// Runs the 1C-Bitrix site sandbox on its own: PORT (default 8090), HOST (default 127.0.0.1), SEED_FILE (a JSON
// seed, see README), TZ_SITE (the site's time zone, default Europe/Moscow).
import { readFileSync } from 'node:fs';
import { startSiteSandbox } from './server.ts';
import type { SeedInput } from './seed.ts';

const seedFile = process.env.SEED_FILE;
const seed = seedFile ? (JSON.parse(readFileSync(seedFile, 'utf8')) as SeedInput) : undefined;
const site = await startSiteSandbox({
  port: Number(process.env.PORT ?? 8090),
  host: process.env.HOST ?? '127.0.0.1',
  ...(seed ? { seed } : {}),
  ...(process.env.TZ_SITE ? { timeZone: process.env.TZ_SITE } : {}),
});
console.log(`sandbox-bitrix-site listening on ${site.url}`);
console.log(`  CommerceML exchange: ${site.exchangeUrl} (Basic admin:admin)`);
console.log(`  sale REST webhook:   ${site.restUrl}<method>`);
console.log(`  admin API:           ${site.url}/_admin/state`);
const stop = () => {
  void site.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
