// F5/F6 master data: counterparties (Catalog_Контрагенты) → Counterparty and nomenclature (Catalog_Номенклатура) →
// Product, each item published when its DataVersion changed since the last poll — unless the change is the sink's
// own write (echo suppression), which would otherwise bounce the portal's company back to the portal.
import { isOwnWrite } from '../echo.ts';
import { changeEventId, refOf, text } from '../mapping/inbound.ts';
import { mapCounterparty, type CounterpartyEntity } from '../mapping/counterparty-in.ts';
import { toProduct, unitOf } from '../mapping/product.ts';
import type { SourceContext } from './context.ts';
import { scanCatalog } from './scan.ts';

export const COUNTERPARTIES_JOB = 'counterparties';
export const PRODUCTS_JOB = 'products';

export async function pollCounterparties(sc: SourceContext): Promise<void> {
  const set = sc.need('counterparty');
  const L = sc.lookups();
  const kinds = await L.contactKindNames();
  await scanCatalog(sc, { job: `${COUNTERPARTIES_JOB}/${set}`, set }, async (tx, changed) => {
    for (const e of changed) {
      const ref = refOf(e['Ref_Key'])!;
      const version = text(e['DataVersion']);
      const keys = { counterparty: text(e['Description']), ...(text(e['ИНН']) ? { inn: text(e['ИНН']) } : {}), ref };
      if (e['IsFolder'] === true) continue;
      if (await isOwnWrite(tx, set, ref, version)) {
        await sc.note(tx, COUNTERPARTIES_JOB, 'skipped', 'esb.canonical.Counterparty', keys, 'written by the bus itself');
        continue;
      }
      const m = mapCounterparty(e as CounterpartyEntity, kinds);
      if (!m.ok) {
        // Stored as seen: the next edit in 1C (which a person makes to fix it) changes DataVersion and retries.
        await sc.note(tx, COUNTERPARTIES_JOB, 'error', 'esb.canonical.Counterparty', keys, m.reason);
        continue;
      }
      // A counterparty the sink created from a portal contact keeps the id the portal knows it by.
      const linked = await tx.xrefByExternal('counterparty', sc.systemId, ref);
      const payload = { meta: sc.meta({ eventId: changeEventId(sc.systemId, set, ref, version), externalId: ref }), ...m.value, ...(linked ? { counterpartyId: linked.canonicalId } : {}) };
      await sc.emit(tx, COUNTERPARTIES_JOB, 'esb.canonical.Counterparty', payload, payload.counterpartyId, keys);
    }
  });
}

export async function pollProducts(sc: SourceContext): Promise<void> {
  const set = sc.need('nomenclature');
  const unitSet = sc.entity('unit') ?? 'Catalog_УпаковкиЕдиницыИзмерения';
  const vatCatalog = sc.entity('vatRate');
  const L = sc.lookups();
  await scanCatalog(sc, { job: `${PRODUCTS_JOB}/${set}`, set }, async (tx, changed) => {
    const units = await L.many(unitSet, changed.map((e) => text(e['ЕдиницаИзмерения_Key'])));
    for (const e of changed) {
      const ref = refOf(e['Ref_Key'])!;
      const version = text(e['DataVersion']);
      const keys = { product: text(e['Description']), ...(text(e['Артикул']) ? { article: text(e['Артикул']) } : {}), ref };
      if (e['IsFolder'] === true) continue;
      if (await isOwnWrite(tx, set, ref, version)) {
        await sc.note(tx, PRODUCTS_JOB, 'skipped', 'esb.canonical.Product', keys, 'written by the bus itself');
        continue;
      }
      const unit = units.get(String(refOf(e['ЕдиницаИзмерения_Key'])));
      const product = { ...toProduct(sc.meta({ eventId: changeEventId(sc.systemId, set, ref, version), externalId: ref }), sc.systemId, e, unitOf(unit), await L.vatRate(e, vatCatalog)), productId: await sc.productId(tx, e) };
      await sc.emit(tx, PRODUCTS_JOB, 'esb.canonical.Product', product, product.productId, keys);
      // The item is this database's own: an order line carrying its canonical id (a deal row of a product the portal
      // got from here) then finds it through the xref, even without an article.
      if (!(await tx.xrefByCanonical('product', product.productId, sc.systemId)) && !(await tx.xrefByExternal('product', sc.systemId, ref))) {
        await tx.xrefPut({ entityType: 'product', canonicalId: product.productId, systemId: sc.systemId, externalId: ref, number: product.article });
      }
    }
  });
}
