// A second 1C:УТ database added by configuration only (issue 6): the topology gains a system and ООО «Ромашка-Опт»
// moves to it; one more deployment of the same connector code serves it. A deal in that entity's funnel becomes an
// order there, and the first database does not see it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { bitrix24Connector } from '@esb/connector-bitrix24';
import { onecUtConnector } from '@esb/connector-1c-ut';
import { endpoints } from '@esb/testing';
import { startStack, UT_ORGANISATION_OPT, type Stack } from '../stack.ts';
import { F6, onecOrderOf, b24, until } from '../flows.ts';

let s: Stack;
let second = '';
const suffix = `-2db${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  s = await startStack({
    endpoints: { kafkaBrokers: endpoints().kafkaBrokers, schemaRegistryUrl: endpoints().schemaRegistryUrl, databaseUrl: endpoints().databaseUrl },
    suffix,
    specs: { bitrix24: bitrix24Connector, ut: onecUtConnector },
    extraInfobases: [{ name: 'ut-opt', profile: 'ut11' }],
    // The whole change: a system entry, and the legal entity pointing at it.
    editTopology: (doc, ids) => {
      second = `ut-opt${suffix}`;
      const systems = doc.systems as Record<string, Record<string, unknown>>;
      systems[second] = { ...systems[ids.ut], url: String(systems[ids.ut]!.url).replace('/ut-main/', '/ut-opt/') };
      const opt = (doc.legalEntities as Array<{ id: string; tradeSystem: string }>).find((e) => e.id === 'romashka-opt')!;
      opt.tradeSystem = second;
    },
  });
  // The new database knows its organisation (as a real one would); then one more connector deployment starts.
  const res = await fetch(`${s.onec.url}/_admin/infobases/ut-opt/data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Catalog_Организации: [UT_ORGANISATION_OPT] }) });
  expect(res.ok).toBe(true);
  await s.startConnector(onecUtConnector, second);
});

afterAll(async () => {
  await s?.stop();
});

describe('a second УТ database added in config only', () => {
  it('receives the orders of the legal entity moved to it; the first database does not', async () => {
    expect((await F6(s)).ok).toBe(true);
    const company = String(await b24(s, 'crm.company.add', { fields: { TITLE: 'ООО «Ирис»' } }));
    await b24(s, 'crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: company, PRESET_ID: 1, NAME: 'Организация', RQ_INN: '7702070139', RQ_KPP: '770201001' } });
    const products = await b24<Array<{ ID: string }>>(s, 'crm.product.list', { select: ['ID'] });
    const deal = String(await b24(s, 'crm.deal.add', { fields: { TITLE: 'Опт через вторую базу', CATEGORY_ID: 2, STAGE_ID: 'C2:NEW', COMPANY_ID: company, CURRENCY_ID: 'RUB' } }));
    await b24(s, 'crm.deal.productrows.set', { id: deal, rows: [{ PRODUCT_ID: products[0]!.ID, PRICE: 500, QUANTITY: 3, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] });
    await b24(s, 'crm.deal.update', { id: deal, fields: { STAGE_ID: 'C2:PREPAYMENT_INVOICE' } });

    const order = await until(`order of deal ${deal} in the second database`, () => onecOrderOf(s, deal, 'ut-opt'));
    expect(order['СуммаДокумента']).toBe(1500);
    expect(await onecOrderOf(s, deal, 'ut-main')).toBeUndefined();
    // The Link from the second database reaches the deal like any other.
    const linked = await until(`1C id on deal ${deal}`, async () => {
      const d = await b24<Record<string, unknown>>(s, 'crm.deal.get', { id: deal });
      return d['UF_CRM_1C_ORDER_ID'] ? d : undefined;
    });
    expect(linked['UF_CRM_1C_ORDER_ID']).toBe(order['Ref_Key']);
  });
});
