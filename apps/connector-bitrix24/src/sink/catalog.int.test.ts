// The catalog from 1C against the Bitrix24 sandbox: prices and stock reach their products, a product already on the
// portal is found by XML_ID instead of created again, replays write nothing, and a bulk load of 2,000 products runs
// at the portal's rate ceiling with nothing lost.
//
// The ceiling comes from the sandbox's own numbers and log, not from the test's clock: a leaky bucket of size X that
// drains Y requests/s accepts at most X + Y·T requests in T seconds, each carrying at most 50 batch commands, so
// in the window from the first to the last catalog request the portal could have taken 50·(X + Y·T) products. The
// measured ratio is products / that; CPU load stretches T and the ceiling with it, so the ratio stays meaningful.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productId, type Price, type Product, type StockLevel } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import type { Connector } from '@esb/connector-kit';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { eventually } from '@esb/testing';
import { admin, deliver, dropStore, handled, metaFrom1C, openSink, republished, testSystemId, topologyFor, type Delivery, type LoggedRequest } from './test-support.ts';

const X = 5;
const Y = 2;
const BULK = 2000;
const systemId = testSystemId('b24cat');
let sb: Bitrix24Sandbox;
let c: Connector;
let delivered = 0;

type Rec = Record<string, unknown>;
const products = async () => (await admin<{ products: Rec[] }>(sb.url, 'state')).products;

function product(n: number, over: Partial<Product> = {}): Product {
  const article = `ART-${String(n).padStart(5, '0')}`;
  return {
    ...canonicalSamples['esb.canonical.Product'],
    meta: metaFrom1C(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`),
    productId: productId({ article }),
    article,
    name: `Товар ${n}`,
    description: null,
    unit: { okei: '796', name: 'шт' },
    ...over,
  };
}

const asDelivery = (p: Product): Delivery => ({ recordType: 'esb.canonical.Product', key: p.productId, value: p });

async function send(records: Delivery[], timeoutMs?: number): Promise<void> {
  await deliver(c, records);
  delivered += records.length;
  await handled(c, delivered, timeoutMs);
}

beforeAll(async () => {
  sb = await startBitrix24Sandbox({ seed: { products: [{ ID: 500, NAME: 'Старое название', XML_ID: '00000000-0000-4000-8000-000000000901', PRICE: 1 }] } });
  await admin(sb.url, 'limits', { burst: X, leakPerSec: Y });
  c = await openSink(systemId, topologyFor(systemId, sb.url, { limits: { burst: X, perSecond: Y } }), { catalog: { lingerMs: 200, idlePollMs: 200 } });
  await c.start();
}, 120_000);

afterAll(async () => {
  await dropStore(c);
  await sb.close();
});

describe('catalog from 1C', () => {
  it('lands products with their base price and stock, finds an existing one by XML_ID, and replays write nothing', async () => {
    const existing = product(901);
    const fresh = product(902, { unit: { okei: '166', name: 'кг' } });
    const price = (p: Product, priceType: string, amount: string): Price => ({ ...canonicalSamples['esb.canonical.Price'], meta: metaFrom1C(p.meta.source.externalId), productId: p.productId, article: p.article, priceType, amount });
    const stock = (p: Product, warehouse: string, quantity: string): StockLevel => ({ ...canonicalSamples['esb.canonical.StockLevel'], meta: metaFrom1C(p.meta.source.externalId), productId: p.productId, article: p.article, warehouse: { externalId: warehouse, name: warehouse }, quantity, reserved: '2.000' });
    const records: Delivery[] = [
      asDelivery(existing),
      asDelivery(fresh),
      { recordType: 'esb.canonical.Price', key: fresh.productId, value: price(fresh, 'Оптовая', '1250.00') },
      { recordType: 'esb.canonical.Price', key: fresh.productId, value: price(fresh, 'Розничная', '1490.00') },
      { recordType: 'esb.canonical.StockLevel', key: fresh.productId, value: stock(fresh, 'w1', '10.000') },
      { recordType: 'esb.canonical.StockLevel', key: fresh.productId, value: stock(fresh, 'w2', '5.500') },
      { recordType: 'esb.canonical.Price', key: existing.productId, value: price(existing, 'Оптовая', '99.90') },
    ];
    await send(records);
    await eventually('both products pushed', async () => (await c.store.dataSource.query(`SELECT count(*)::int AS n FROM b24_catalog WHERE NOT dirty`))[0].n === 2);
    const ps = await products();
    expect(ps.map((p) => [p.ID, p.NAME, p.XML_ID, p.PRICE, p.MEASURE])).toEqual([
      ['500', 'Товар 901', existing.meta.source.externalId, '99.90', '5'],
      [expect.any(String), 'Товар 902', fresh.meta.source.externalId, '1250.00', '7'],
    ]);
    const id = Number(ps[1]!.ID);
    // Stock is the catalog module's: on hand minus reserved over both warehouses.
    expect(sb.portal.products.get(id)?.QUANTITY).toBe(11.5);

    const t0 = new Date().toISOString();
    await send([...records, ...records.map((r) => ({ ...r, value: republished(r.value) }) as Delivery)]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await products()).toEqual(ps);
    const calls = (await admin<LoggedRequest[]>(sb.url, 'requests')).filter((r) => r.at >= t0);
    expect(calls).toEqual([]);
  });

  it(`pushes ${BULK} products at ≥ 90% of the portal's rate ceiling, none lost`, async () => {
    const bulk = Array.from({ length: BULK }, (_, i) => product(10_000 + i));
    await admin(sb.url, 'limits/reset', {});
    const before = (await products()).length;
    const t0 = new Date().toISOString();
    await deliver(c, bulk.map(asDelivery));
    delivered += BULK;
    await eventually('all products on the portal', async () => (await products()).length === before + BULK, 80_000, 250);

    const ps = (await products()).filter((p) => String(p.NAME).startsWith('Товар 1'));
    expect(new Set(ps.map((p) => p.XML_ID)).size).toBe(BULK);
    expect(ps.map((p) => p.XML_ID).sort()).toEqual(bulk.map((p) => p.meta.source.externalId).sort());

    const calls = (await admin<LoggedRequest[]>(sb.url, 'requests')).filter((r) => r.at >= t0 && r.op === 'batch');
    expect(calls.every((r) => r.status === 200)).toBe(true);
    const first = Date.parse(calls[0]!.at);
    const last = Date.parse(calls.at(-1)!.at);
    const seconds = (last - first) / 1000;
    const ceiling = 50 * (X + Y * seconds);
    const ratio = BULK / ceiling;
    console.log(`[catalog] ${BULK} products in ${calls.length} batch calls over ${seconds.toFixed(1)} s; ceiling 50·(${X} + ${Y}·${seconds.toFixed(1)}) = ${ceiling.toFixed(0)} → ratio ${ratio.toFixed(3)}`);
    expect(ratio).toBeGreaterThanOrEqual(0.9);
    // Nothing was refused by the portal: the limiter kept under the bucket.
    expect((await admin<LoggedRequest[]>(sb.url, 'requests')).filter((r) => r.at >= t0 && r.status === 503)).toEqual([]);
    await handled(c, delivered);
  }, 90_000);
});
