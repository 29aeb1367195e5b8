// The standalone process: starts well under 5 s, prints its URL, loads SEED_FILE, serves the seeded data.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('main.ts', () => {
  it('starts in under 5 s with PORT and SEED_FILE and answers with the seeded deal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb24-'));
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ deals: [{ ID: 7, TITLE: 'Seeded deal' }] }));
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', tsx, main], { env: { ...process.env, PORT: '0', SEED_FILE: seedFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`no URL within 5 s: ${out}`)), 5000);
      });
      expect(Date.now() - t0).toBeLessThan(5000);
      const r = await fetch(`${url}/rest/1/sandbox/crm.deal.get?id=7`);
      expect(((await r.json()) as { result: { TITLE: string } }).result.TITLE).toBe('Seeded deal');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
