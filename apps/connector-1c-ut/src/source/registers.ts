// F6/F7 balances and prices from register virtual tables (reference §1.8), published only where they changed since
// the last poll: current prices (SliceLast of ЦеныНоменклатуры25 / ЦеныНоменклатуры) → Price, stock on hand
// (Balance of ТоварыНаСкладах by item and warehouse) → StockLevel, settlements (Balance of РасчетыСКлиентами by
// organisation, counterparty and currency) → Debt. A balance that fell to nothing (1C drops all-zero rows) is
// published as zero once.
import { changeEventId, money, naiveToInstant, refOf, text, textOrNull } from '../mapping/inbound.ts';
import { priceKey, priceValue, toPrice } from '../mapping/price.ts';
import { parseStockKey, stockSnapshot, toStockLevel } from '../mapping/stock.ts';
import { debtSnapshot, parseDebtKey, toDebt } from '../mapping/debt.ts';
import type { SourceContext } from './context.ts';
import { scanSnapshot } from './scan.ts';

export const PRICES_JOB = 'prices';
export const STOCK_JOB = 'stock';
export const DEBTS_JOB = 'debts';

export async function pollPrices(sc: SourceContext): Promise<void> {
  const records = sc.need('pricesRecords');
  const typeField = sc.profile.fields['priceTypeField']?.property ?? 'ВидЦены_Key';
  const typeSet = sc.need('priceType');
  const rows = await sc.client().virtualTable(records, 'SliceLast');
  const current = new Map<string, string>();
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    // The canonical price has no characteristic: only the item's own price is published.
    if (refOf(r['Характеристика_Key'])) continue;
    const item = refOf(r['Номенклатура_Key']);
    const type = refOf(r[typeField]);
    if (!item || !type) continue;
    const k = priceKey(item, type);
    current.set(k, priceValue(r['Цена'], text(r['Period'])));
    byKey.set(k, r);
  }
  const L = sc.lookups();
  await scanSnapshot(sc, `${PRICES_JOB}/${records}`, current, '', async (tx, ch) => {
    const r = byKey.get(ch.key);
    // A price whose record was deleted is not a price of zero: nothing is published, the portal keeps the last one.
    if (!r || ch.value === '') return;
    const [item, type] = ch.key.split('/') as [string, string];
    const e = await L.one(sc.need('nomenclature'), item);
    const pt = await L.one(typeSet, type);
    const keys = { product: text(e?.['Description']), ...(text(e?.['Артикул']) ? { article: text(e?.['Артикул']) } : {}), priceType: text(pt?.['Description']) };
    if (!e) {
      await sc.note(tx, PRICES_JOB, 'error', 'esb.canonical.Price', keys, `price of item ${item}, which 1C does not return`);
      return;
    }
    const price = toPrice({
      meta: sc.meta({ eventId: changeEventId(sc.systemId, records, ch.key, String(ch.seq), ch.value), externalId: item, occurredAt: naiveToInstant(text(r['Period']), sc.timeZone) }),
      productId: await sc.productId(tx, e),
      article: textOrNull(e['Артикул']),
      priceType: text(pt?.['Description']) || type,
      amount: r['Цена'],
      currency: await L.currency(r['Валюта_Key'] ?? pt?.['ВалютаЦены_Key']),
      vatIncluded: pt?.['ЦенаВключаетНДС'] === true,
      validFrom: naiveToInstant(text(r['Period']), sc.timeZone),
    });
    await sc.emit(tx, PRICES_JOB, 'esb.canonical.Price', price, price.productId, { ...keys, amount: price.amount });
  });
}

export async function pollStock(sc: SourceContext): Promise<void> {
  const register = sc.need('stock');
  const asOf = new Date().toISOString();
  const rows = await sc.client().virtualTable(register, 'Balance', { Dimensions: "'Номенклатура,Склад'" });
  const current = stockSnapshot(rows.flatMap((r) => {
    const item = refOf(r['Номенклатура_Key']);
    const warehouse = refOf(r['Склад_Key']);
    return item && warehouse ? [{ item, warehouse, quantity: r['ВНаличииBalance'] }] : [];
  }));
  const L = sc.lookups();
  await scanSnapshot(sc, `${STOCK_JOB}/${register}`, current, '0.000', async (tx, ch) => {
    const { item, warehouse } = parseStockKey(ch.key);
    const e = await L.one(sc.need('nomenclature'), item);
    const wh = await L.one(sc.entity('warehouse') ?? 'Catalog_Склады', warehouse);
    const keys = { product: text(e?.['Description']), ...(text(e?.['Артикул']) ? { article: text(e?.['Артикул']) } : {}), warehouse: text(wh?.['Description']) };
    if (!e) {
      await sc.note(tx, STOCK_JOB, 'error', 'esb.canonical.StockLevel', keys, `stock of item ${item}, which 1C does not return`);
      return;
    }
    const stock = toStockLevel({
      meta: sc.meta({ eventId: changeEventId(sc.systemId, register, ch.key, String(ch.seq), ch.value), externalId: item, occurredAt: asOf }),
      productId: await sc.productId(tx, e),
      article: textOrNull(e['Артикул']),
      warehouse: { externalId: warehouse, name: text(wh?.['Description']) || warehouse },
      quantity: ch.value,
      asOf,
    });
    await sc.emit(tx, STOCK_JOB, 'esb.canonical.StockLevel', stock, stock.productId, { ...keys, quantity: stock.quantity });
  });
}

export async function pollDebts(sc: SourceContext): Promise<void> {
  const register = sc.need('settlements');
  const asOf = new Date().toISOString();
  const rows = await sc.client().virtualTable(register, 'Balance', { Dimensions: "'Организация,Контрагент,Валюта'" });
  const current = debtSnapshot(rows.flatMap((r) => {
    const organization = refOf(r['Организация_Key']);
    const counterparty = refOf(r['Контрагент_Key']);
    const currency = refOf(r['Валюта_Key']) ?? 'none';
    return organization && counterparty ? [{ organization, counterparty, currency, amount: r['СуммаBalance'] }] : [];
  }));
  const L = sc.lookups();
  await scanSnapshot(sc, `${DEBTS_JOB}/${register}`, current, money(0), async (tx, ch) => {
    const k = parseDebtKey(ch.key);
    const cp = await L.one(sc.need('counterparty'), k.counterparty);
    const org = await L.one(sc.entity('organization') ?? 'Catalog_Организации', k.organization);
    const keys = { counterparty: text(cp?.['Description']), ...(text(cp?.['ИНН']) ? { inn: text(cp?.['ИНН']) } : {}), organisation: text(org?.['Description']) };
    const counterpartyId = await sc.counterpartyId(tx, L, k.counterparty);
    const legalEntityId = sc.organisationId(org);
    if (!counterpartyId || !legalEntityId) {
      await sc.note(tx, DEBTS_JOB, 'error', 'esb.canonical.Debt', keys, !counterpartyId ? 'the counterparty has no valid INN/KPP (or phone for a person): its debt cannot be keyed' : 'the organisation has no valid INN/KPP');
      return;
    }
    const debt = toDebt({
      meta: sc.meta({ eventId: changeEventId(sc.systemId, register, ch.key, String(ch.seq), ch.value), externalId: k.counterparty, occurredAt: asOf, legalEntityId: sc.legalEntityId(org) }),
      counterpartyId,
      legalEntityId,
      amount: ch.value,
      currency: k.currency === 'none' ? 'RUB' : await L.currency(k.currency),
      asOf,
    });
    await sc.emit(tx, DEBTS_JOB, 'esb.canonical.Debt', debt, debt.counterpartyId, { ...keys, amount: debt.amount });
  });
}
