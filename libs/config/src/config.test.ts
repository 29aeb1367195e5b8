import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { legalCounterpartyId } from '@esb/canonical';
import { loadTopology, parseTopology, watchTopology, ConfigError, type Topology } from './index.ts';

// The example with its UT password as a secret file next to the config (the other form of reference).
const example = readFileSync(new URL('../../../config/esb.example.yaml', import.meta.url), 'utf8').replace(
  'password: { env: UT_PASSWORD } }',
  'password: { file: ../secrets/ut-main.password } }',
);
const env = {
  B24_CLIENT_SECRET: 'cs',
  B24_APPLICATION_TOKEN: 'apptoken',
  RETAIL_PASSWORD: 'rp',
  SITE_EXCHANGE_PASSWORD: 'sp',
  SITE_PUSH_TOKEN: 'pt',
  DM_PASSWORD: 'dp',
  SMTP_PASSWORD: 'smtp',
};

function problems(fn: () => unknown): ConfigError['problems'] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('topology config', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esb-config-'));
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'ut-main.password'), 'ut-secret\n');
    file = join(dir, 'config', 'esb.yaml');
    writeFileSync(file, example);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the example holding: three entities, two on one UT database, one on Retail, a funnel each', () => {
    const t = loadTopology(file, env);
    expect(t.legalEntities.map((e) => [e.id, e.tradeSystem, e.portal?.categoryId])).toEqual([
      ['romashka-trade', 'ut-main', 0],
      ['romashka-opt', 'ut-main', 2],
      ['romashka-retail', 'retail', 4],
    ]);
    expect(t.legalEntities[0]!.canonicalId).toBe(legalCounterpartyId('7707083893', '770701001'));
    expect(Object.fromEntries(Object.entries(t.systems).map(([id, s]) => [id, s.kind]))).toEqual({ b24: 'bitrix24', 'ut-main': '1c-ut', retail: '1c-retail', site: 'bitrix-site', dm: '1c-dm' });
    const ut = t.systems['ut-main'];
    if (ut?.kind !== '1c-ut') throw new Error('ut-main is not 1c-ut');
    // The relative secret file resolves next to the config; trailing newline is not part of the secret.
    expect(ut.auth.password.reveal()).toBe('ut-secret');
    // Secrets never print.
    expect(JSON.stringify(t)).not.toMatch(/ut-secret|apptoken/);
    expect(String(ut.auth.password)).toBe('[secret from file ../secrets/ut-main.password]');
  });

  it('reports every problem with its path, position and what is wrong', () => {
    const bad = example
      .replace('clientSecret: { env: B24_CLIENT_SECRET }', 'clientSecret: s3cr3t')
      .replace('inn: "7736050003"', 'inn: "7736050004"')
      .replace('tradeSystem: retail', 'tradeSystem: site')
      .replace('categoryId: 4,', 'categoryId: 2,')
      .replace('defaultLegalEntity: romashka-trade', 'defaultLegalEntity: nobody')
      .replace('{ record: Debt, from: [1c-ut, 1c-retail], to: [portal] }', '{ record: Debts, from: [1c-ut], to: [crm] }');
    const p = problems(() => parseTopology(bad, file, env));
    const byPath = Object.fromEntries(p.map((x) => [x.path, x.message]));
    expect(byPath['systems.b24.auth.clientSecret']).toMatch(/reference: \{ env: NAME \} or \{ file: PATH \}, never an inline value/);
    expect(byPath['legalEntities.1.inn']).toMatch(/INN 7736050004: check digit/);
    expect(byPath['legalEntities.2.tradeSystem']).toMatch(/"site" is a bitrix-site system/);
    expect(byPath['legalEntities.2.portal.categoryId']).toMatch(/funnel 2 of b24 already belongs to "romashka-opt"/);
    expect(byPath['defaultLegalEntity']).toMatch(/no legal entity "nobody"/);
    expect(byPath['routes.7.record']).toMatch(/no canonical record esb.canonical.Debts/);
    expect(byPath['routes.7.to.0']).toMatch(/"crm" is neither a system id nor one of/);
    const secret = p.find((x) => x.path === 'systems.b24.auth.clientSecret')!;
    expect(secret.line).toBe(example.split('\n').findIndex((l) => l.includes('clientSecret')) + 1);
  });

  it('names the missing environment variable and rejects unknown keys and YAML errors', () => {
    const { SMTP_PASSWORD: _gone, ...partial } = env;
    expect(problems(() => parseTopology(example, file, partial))).toEqual([{ path: 'alerts.email.smtp.password', message: 'environment variable SMTP_PASSWORD is not set' }]);
    expect(problems(() => parseTopology(example.replace('version: 1', 'version: 1\nverison: 2'), 'esb.yaml', env))[0]!.message).toMatch(/verison/);
    const yamlErr = problems(() => parseTopology('version: 1\nsystems: {a: 1\n', 'esb.yaml', env));
    expect(yamlErr[0]!.line).toBeGreaterThan(0);
    expect(problems(() => loadTopology(undefined, env))[0]!.message).toMatch(/ESB_CONFIG is not set/);
  });

  it('reloads a valid change and keeps the running config when the new one is invalid', async () => {
    const changes: Topology[] = [];
    const rejected: ConfigError[] = [];
    const w = watchTopology(file, { onChange: (t) => changes.push(t), onRejected: (e) => rejected.push(e) }, { env, debounceMs: 20, signal: null });
    try {
      writeFileSync(file, example.replace('consumerLag: 1000', 'consumerLag: -5'));
      const bad = w.reload();
      expect(bad.ok).toBe(false);
      expect(rejected.at(-1)!.problems[0]!.path).toBe('alerts.consumerLag');
      expect(w.current().alerts.consumerLag).toBe(1000);

      writeFileSync(file, example.replace('consumerLag: 1000', 'consumerLag: 5000'));
      await new Promise((r) => setTimeout(r, 300)); // the file watcher picks it up by itself
      expect(w.current().alerts.consumerLag).toBe(5000);
      expect(changes.at(-1)!.alerts.consumerLag).toBe(5000);
    } finally {
      w.close();
    }
  });
});
