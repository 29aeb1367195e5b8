// Runs the 1C sandbox standalone: `PORT` (default 8091), `HOST`, `SEED_FILE` (JSON, see README «Seed format»),
// `PUBLIC_URL`; without a seed file it publishes one demo infobase per profile and prints their addresses.
import { readFileSync } from 'node:fs';
import type { InfobaseSeed, SeedFile } from './model/seed.ts';
import { startOneCSandbox } from './server.ts';

const DEFAULT: InfobaseSeed[] = [
  { name: 'ut', profile: 'ut11', demo: true },
  { name: 'ut114', profile: 'ut11.4', demo: true },
  { name: 'retail', profile: 'retail', demo: true },
  { name: 'bp', profile: 'bp30', demo: true },
  { name: 'dm', profile: 'dm', demo: true, users: [{ name: 'odata', password: 'odata' }, { name: 'Петров Петр Петрович', password: 'dm' }] },
];

async function main(): Promise<void> {
  const t0 = performance.now();
  const file = process.env['SEED_FILE'];
  const seed: SeedFile = file ? (JSON.parse(readFileSync(file, 'utf8')) as SeedFile) : { infobases: DEFAULT };
  const sb = await startOneCSandbox({
    port: Number(process.env['PORT'] ?? 8091),
    host: process.env['HOST'] ?? '127.0.0.1',
    infobases: seed.infobases ?? [],
    ...(process.env['PUBLIC_URL'] ? { publicUrl: process.env['PUBLIC_URL'] } : {}),
  });
  console.log(`sandbox-1c listening on ${sb.url} (started in ${Math.round(performance.now() - t0)} ms)`);
  for (const ib of sb.infobases.values()) {
    const users = [...ib.users.values()].map((u) => u.name).join(', ');
    console.log(`  ${ib.name.padEnd(8)} ${ib.model.profile.title.padEnd(36)} ${sb.odataUrl(ib.name)}  users: ${users}`);
    if (ib.model.names.family === 'dm') console.log(`  ${''.padEnd(8)} DMService ${sb.url}/${encodeURIComponent(ib.name)}/ws/DMService?wsdl`);
  }
  console.log(`  admin    ${sb.url}/_admin/infobases, ${sb.url}/_admin/faults, ${sb.url}/_admin/requests`);
  const stop = () => {
    void sb.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
