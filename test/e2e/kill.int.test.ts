// Kill a connector at any moment: nothing is lost, nothing is duplicated in 1C (the bar of the project). The 1C:УТ
// connector runs as its own process (its real main.ts, as deployed) while deals reach their trigger stage; it is
// SIGKILLed while orders are being written, with 1C slowed down so the kill lands mid-write, then started again.
// Every deal must end with exactly one 1C order, its id written back, and the buyer must exist once.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { bitrix24Connector, DEFAULT_FIELDS } from '@esb/connector-bitrix24';
import { documentId } from '@esb/canonical';
import { eq, substringof } from '@esb/onec-client';
import { DEMO } from '@esb/sandbox-1c';
import { endpoints } from '@esb/testing';
import { SANDBOX_SECRETS, startStack, type Stack } from '../stack.ts';
import { b24, onecOf, until } from '../flows.ts';

const DEALS = 6;
let s: Stack;
let configFile = '';
let child: ChildProcess | undefined;
const output: string[] = [];

function startUt(): ChildProcess {
  const e = endpoints();
  const p = spawn(process.execPath, ['--import', 'tsx', 'apps/connector-1c-ut/src/main.ts'], {
    env: { ...process.env, ...SANDBOX_SECRETS, SYSTEM_ID: s.ids.ut, ESB_CONFIG: configFile, KAFKA_BROKERS: e.kafkaBrokers.join(','), SCHEMA_REGISTRY_URL: e.schemaRegistryUrl, DATABASE_URL: e.databaseUrl, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  p.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  return p;
}

const started = () => until('the 1C connector process started', async () => output.join('').includes('"connector started"'), 60_000);

beforeAll(async () => {
  s = await startStack({
    endpoints: { kafkaBrokers: endpoints().kafkaBrokers, schemaRegistryUrl: endpoints().schemaRegistryUrl, databaseUrl: endpoints().databaseUrl },
    suffix: `-kill${randomUUID().slice(0, 6)}`,
    specs: { bitrix24: bitrix24Connector },
  });
  configFile = join(mkdtempSync(join(tmpdir(), 'esb-kill-')), 'esb.yaml');
  writeFileSync(configFile, s.yaml);
  child = startUt();
  await started();
});

afterAll(async () => {
  child?.kill('SIGTERM');
  await s?.stop();
});

describe('a connector killed mid-write', () => {
  it('loses nothing and duplicates nothing in 1C', async () => {
    // Its pollers load the catalog into the portal at start (F6), so deals can carry 1C goods.
    const product = await until('1C goods in the portal catalog', async () => (await b24<Array<{ ID: string }>>(s, 'crm.product.list', { filter: { XML_ID: DEMO.ut.laptop }, select: ['ID'] }))[0], 60_000);
    const company = String(await b24(s, 'crm.company.add', { fields: { TITLE: 'ООО «Гвоздика»' } }));
    await b24(s, 'crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: company, PRESET_ID: 1, NAME: 'Организация', RQ_INN: '7703363868', RQ_KPP: '770301001' } });

    // 1C answers order writes slowly, so the kill lands while they are in flight.
    await fetch(`${s.onec.url}/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'Document_ЗаказКлиента', method: 'POST', latencyMs: 700 }) });
    const deals: string[] = [];
    for (let i = 0; i < DEALS; i++) {
      const id = String(await b24(s, 'crm.deal.add', { fields: { TITLE: `Заказ ${i + 1}`, CATEGORY_ID: 0, STAGE_ID: 'NEW', COMPANY_ID: company, CURRENCY_ID: 'RUB' } }));
      await b24(s, 'crm.deal.productrows.set', { id, rows: [{ PRODUCT_ID: product.ID, PRICE: 1000 + i, QUANTITY: 1, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] });
      await b24(s, 'crm.deal.update', { id, fields: { STAGE_ID: 'PREPAYMENT_INVOICE' } });
      deals.push(id);
    }
    const onec = onecOf(s);
    const ordersOf = async (deal: string) => onec.list('Document_ЗаказКлиента', { filter: substringof(`ESB:order:${documentId('order', s.ids.b24, deal)}`, 'Комментарий'), select: ['Ref_Key', 'DeletionMark', 'Number'] });
    await until('the first order written', async () => (await ordersOf(deals[0]!)).length > 0, 60_000);
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const killedAt = (await Promise.all(deals.map(ordersOf))).filter((o) => o.length > 0).length;

    await fetch(`${s.onec.url}/_admin/faults`, { method: 'DELETE' });
    output.length = 0;
    child = startUt();
    await started();

    for (const deal of deals) {
      const linked = await until(`deal ${deal} linked to its 1C order`, async () => {
        const d = await b24<Record<string, unknown>>(s, 'crm.deal.get', { id: deal });
        return d[DEFAULT_FIELDS.onecOrderId] ? d : undefined;
      }, 60_000);
      const orders = await ordersOf(deal);
      expect(orders.filter((o) => o['DeletionMark'] !== true), `deal ${deal}`).toHaveLength(1);
      expect(linked[DEFAULT_FIELDS.onecOrderId]).toBe(orders[0]!['Ref_Key']);
    }
    const buyers = await onec.list('Catalog_Контрагенты', { filter: eq('ИНН', '7703363868'), select: ['Ref_Key'] });
    expect(buyers).toHaveLength(1);
    process.stdout.write(`killed with ${killedAt} of ${DEALS} orders in 1C; after the restart every deal has exactly one order\n`);
  });
});
