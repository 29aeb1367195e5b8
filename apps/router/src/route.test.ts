import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { canonicalSamples } from '@esb/canonical/samples';
import { legalCounterpartyId } from '@esb/canonical';
import { parseTopology, type Topology } from '@esb/config';
import { OrderStateTable } from './order-state.ts';
import { route, resolveLegalEntity, type EventRecord } from './route.ts';

const example = readFileSync(new URL('../../../config/esb.example.yaml', import.meta.url), 'utf8').replace('{ file: ../secrets/ut-main.password }', '{ env: UT_PASSWORD }');
const env = Object.fromEntries(['B24_CLIENT_SECRET', 'B24_APPLICATION_TOKEN', 'UT_PASSWORD', 'RETAIL_PASSWORD', 'SITE_EXCHANGE_PASSWORD', 'SITE_PUSH_TOKEN', 'DM_PASSWORD', 'SMTP_PASSWORD'].map((k) => [k, 'x']));
const OPT = legalCounterpartyId('7736050003', '773601001');
const RETAIL = legalCounterpartyId('5024089920', '502401001');
const TRADE = legalCounterpartyId('7707083893', '770701001');

function order(categoryId: string | null, over: Partial<EventRecord> = {}): EventRecord {
  const s = canonicalSamples['esb.canonical.Order'] as unknown as EventRecord & { origin: Record<string, unknown> };
  return {
    ...s,
    meta: { ...s.meta, legalEntityId: null, source: { system: 'b24', kind: 'bitrix24', externalId: '4512' } },
    sellerLegalEntityId: null,
    origin: { ...s.origin, system: 'b24', kind: 'bitrix24', entityType: 'deal', externalId: '4512', categoryId },
    ...over,
  };
}

function payment(from: { system: string; kind: string }, orderId: string): EventRecord {
  const s = canonicalSamples['esb.canonical.Payment'] as unknown as EventRecord;
  return { ...s, orderId, meta: { ...s.meta, legalEntityId: null, source: { ...from, externalId: 'receipt-1' } } };
}

describe('router decisions', () => {
  let t: Topology;
  beforeAll(() => {
    t = parseTopology(example, 'esb.example.yaml', env);
  });

  it('resolves the legal entity in the order of §5: explicit, seller field, funnel, trade database, known order, default', () => {
    const orders = new OrderStateTable();
    expect(resolveLegalEntity(t, orders, 'esb.canonical.Order', order('2', { meta: { ...order('2').meta, legalEntityId: RETAIL } }))).toMatchObject({ by: 'meta', entity: { id: 'romashka-retail' } });
    expect(resolveLegalEntity(t, orders, 'esb.canonical.Order', order('2', { sellerLegalEntityId: TRADE }))).toMatchObject({ by: 'seller-field', entity: { id: 'romashka-trade' } });
    expect(resolveLegalEntity(t, orders, 'esb.canonical.Order', order('2'))).toMatchObject({ by: 'funnel', entity: { id: 'romashka-opt' } });
    expect(resolveLegalEntity(t, orders, 'esb.canonical.Payment', payment({ system: 'retail', kind: '1c-retail' }, 'x'))).toMatchObject({ by: 'trade-system', entity: { id: 'romashka-retail' } });
    expect(resolveLegalEntity(t, orders, 'esb.canonical.Order', order('9'))).toMatchObject({ by: 'default', entity: { id: 'romashka-trade' } });
    const unknown = order('2', { meta: { ...order('2').meta, legalEntityId: '00000000-0000-5000-8000-000000000000' } });
    expect(() => resolveLegalEntity(t, orders, 'esb.canonical.Order', unknown)).toThrow(/meta.legalEntityId 00000000-0000-5000-8000-000000000000 is not a legal entity/);
    const noDefault = { ...t, defaultLegalEntity: undefined };
    expect(() => resolveLegalEntity(noDefault, orders, 'esb.canonical.Order', order('9'))).toThrow(/funnel 9 of b24 is not mapped.*no defaultLegalEntity/);
  });

  it('sends a deal to its entity\'s database, and the 1C payment back to the portal and the site the order came from', () => {
    const orders = new OrderStateTable();
    const o = order('2');
    const r = route(t, orders, 'esb.canonical.Order', o, 'k');
    expect(r.records.filter((x) => x.topic.startsWith('esb.deliver.')).map((x) => x.topic)).toEqual(['esb.deliver.ut-main']);
    expect((r.records[0]!.value as EventRecord).meta.legalEntityId).toBe(OPT);
    orders.commit();
    // A payment from the shared UT database: its entity comes from the order the router remembers.
    const p = route(t, orders, 'esb.canonical.Payment', payment({ system: 'ut-main', kind: '1c-ut' }, o.orderId as string), 'k');
    expect(p.decision).toMatchObject({ entity: 'romashka-opt', by: 'order', to: ['b24'] });

    const siteOrder = order(null, { meta: { ...o.meta, source: { system: 'site', kind: 'bitrix-site', externalId: '77' } }, origin: { system: 'site', kind: 'bitrix-site', entityType: 'site-order', externalId: '77', categoryId: null }, orderId: 'c0ffee00-0000-5000-8000-000000000077' });
    expect(route(t, orders, 'esb.canonical.Order', siteOrder, 'k').decision).toMatchObject({ entity: 'romashka-retail', by: 'site', to: ['retail'] });
    orders.commit();
    // The site order has no deal in the portal: its payment goes back to the site only.
    const sp = route(t, orders, 'esb.canonical.Payment', payment({ system: 'retail', kind: '1c-retail' }, 'c0ffee00-0000-5000-8000-000000000077'), 'k');
    expect(sp.decision.to).toEqual(['site']);
    // A payment for an order the router never saw (born in 1C) has no deal to update either.
    expect(() => route(t, orders, 'esb.canonical.Payment', payment({ system: 'ut-main', kind: '1c-ut' }, 'c0ffee00-0000-5000-8000-0000000000aa'), 'k')).not.toThrow();
    expect(route(t, orders, 'esb.canonical.Payment', payment({ system: 'ut-main', kind: '1c-ut' }, 'c0ffee00-0000-5000-8000-0000000000aa'), 'k').decision.to).toEqual([]);
    // Nor is anything routed for a source system the topology does not know.
    expect(() => route(t, orders, 'esb.canonical.Payment', payment({ system: 'ut-old', kind: '1c-ut' }, o.orderId as string), 'k')).toThrow(/source system "ut-old" is not in/);
  });

  it('turns a move to another entity\'s funnel into a reversal in the old database and an order in the new one', () => {
    const orders = new OrderStateTable();
    const first = order('2');
    route(t, orders, 'esb.canonical.Order', first, 'k');
    orders.commit();
    const moved = order('4', { meta: { ...first.meta, eventId: '11111111-2222-4333-8444-555555555555' } });
    const r = route(t, orders, 'esb.canonical.Order', moved, 'k');
    expect(r.decision).toMatchObject({ entity: 'romashka-retail', movedFrom: 'romashka-opt', to: ['retail'] });
    const reversal = r.records.find((x) => x.recordType === 'esb.canonical.OrderReversal')!;
    expect(reversal.topic).toBe('esb.deliver.ut-main');
    expect(reversal.value).toMatchObject({ reason: 'MOVED_TO_OTHER_LEGAL_ENTITY', fromLegalEntityId: OPT, toLegalEntityId: RETAIL, orderId: first.orderId });
    // Re-processing the same event derives the same reversal id, so the sink's inbox drops a duplicate.
    orders.abort();
    const again = route(t, orders, 'esb.canonical.Order', moved, 'k').records.find((x) => x.recordType === 'esb.canonical.OrderReversal')!;
    expect((again.value as EventRecord).meta.eventId).toBe((reversal.value as EventRecord).meta.eventId);
    orders.commit();
    // Moving again within the same entity changes nothing.
    expect(route(t, orders, 'esb.canonical.Order', moved, 'k').records.some((x) => x.recordType === 'esb.canonical.OrderReversal')).toBe(false);
  });

  it('refuses what has no route, naming the record, the source and where to fix it', () => {
    const orders = new OrderStateTable();
    const s = canonicalSamples['esb.canonical.Product'] as unknown as EventRecord;
    const fromSite = { ...s, meta: { ...s.meta, legalEntityId: TRADE, source: { system: 'site', kind: 'bitrix-site', externalId: 'p1' } } };
    expect(() => route(t, orders, 'esb.canonical.Product', fromSite, 'k')).toThrow(/no route for Product from a bitrix-site system in esb.example.yaml/);
  });

  it('sends an entity\'s orders to a second UT database added only in config', () => {
    const withSecond = parseTopology(
      example
        .replace('tradeSystem: ut-main\n    portal: { system: b24, categoryId: 2', 'tradeSystem: ut-second\n    portal: { system: b24, categoryId: 2')
        .replace('  retail:\n    kind: 1c-retail', '  ut-second:\n    kind: 1c-ut\n    url: http://1c.romashka.local/ut2/odata/standard.odata/\n    profile: ut11.5\n    auth: { user: esb, password: { env: UT_PASSWORD } }\n  retail:\n    kind: 1c-retail'),
      'esb.example.yaml',
      env,
    );
    const orders = new OrderStateTable();
    expect(route(withSecond, orders, 'esb.canonical.Order', order('2'), 'k').decision).toMatchObject({ entity: 'romashka-opt', to: ['ut-second'] });
    expect(route(withSecond, orders, 'esb.canonical.Order', order('0', { orderId: 'c0ffee00-0000-5000-8000-000000000001' }), 'k').decision).toMatchObject({ entity: 'romashka-trade', to: ['ut-main'] });
  });
});
