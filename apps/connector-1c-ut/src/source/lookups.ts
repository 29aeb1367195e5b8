// Reference data a poll run needs over and over (currencies, units, VAT rates, price types, warehouses, items,
// counterparties, organisations): fetched on first use in batches of Ref_Keys and kept for the run only, so every
// run sees 1C's current data and a page of documents costs a handful of requests, not one per row.
import { anyOf, eq, guid, OneCError, type OneCClient, type OneCEntity } from '@esb/onec-client';
import type { Unit, VatRate } from '@esb/canonical';
import { currencyCode, refOf, text } from '../mapping/inbound.ts';
import { unitOf, vatRateFromEnum } from '../mapping/product.ts';
import { vatFromOneC } from '../mapping/vat.ts';

/** Ref_Keys per request: 1C has no `in`, and a long `or` chain hits URL limits (reference §1.12). */
const BATCH = 25;

export class Lookups {
  private readonly cache = new Map<string, Map<string, OneCEntity | null>>();
  private readonly named = new Map<string, Promise<unknown>>();

  constructor(private readonly client: OneCClient) {}

  /** Objects of `set` by Ref_Key (missing ones absent from the result). */
  async many(set: string, refs: Iterable<string | null | undefined>): Promise<Map<string, OneCEntity>> {
    let byRef = this.cache.get(set);
    if (!byRef) {
      byRef = new Map();
      this.cache.set(set, byRef);
    }
    const wanted = [...new Set([...refs].map((r) => refOf(r)).filter((r): r is string => r !== null))];
    const missing = wanted.filter((r) => !byRef.has(r));
    for (let i = 0; i < missing.length; i += BATCH) {
      const chunk = missing.slice(i, i + BATCH);
      const rows = await this.client.list(set, { filter: anyOf('Ref_Key', chunk.map((r) => guid(r))) });
      for (const r of chunk) byRef.set(r, null);
      for (const row of rows) {
        const k = refOf(row['Ref_Key']);
        if (k) byRef.set(k, row);
      }
    }
    const out = new Map<string, OneCEntity>();
    for (const r of wanted) {
      const e = byRef.get(r);
      if (e) out.set(r, e);
    }
    return out;
  }

  async one(set: string, ref: unknown): Promise<OneCEntity | undefined> {
    const r = refOf(ref);
    if (!r) return undefined;
    return (await this.many(set, [r])).get(r);
  }

  /** A whole (small) catalog, once per run; an unpublished one (404) reads as empty. */
  all(set: string): Promise<OneCEntity[]> {
    let p = this.named.get(`all:${set}`) as Promise<OneCEntity[]> | undefined;
    if (!p) {
      p = this.client.listAll(set).catch((e: unknown) => {
        if (e instanceof OneCError && e.status === 404) return [];
        throw e;
      });
      this.named.set(`all:${set}`, p);
    }
    return p;
  }

  /** ISO letters of a Catalog_Валюты item (its `Code` is the ISO numeric). */
  async currency(ref: unknown, fallback = 'RUB'): Promise<string> {
    const c = await this.one('Catalog_Валюты', ref);
    return c ? currencyCode(c['Code']) : fallback;
  }

  async unit(set: string, ref: unknown): Promise<Unit> {
    return unitOf((await this.one(set, ref)) as { Code?: unknown; Description?: unknown } | undefined);
  }

  /** The item's VAT rate: УТ 11.5 references Catalog_СтавкиНДС, older releases keep the enum string. */
  async vatRate(item: OneCEntity, vatCatalog: string | undefined): Promise<VatRate | null> {
    const key = refOf(item['СтавкаНДС_Key']);
    if (key && vatCatalog) {
      const rate = await this.one(vatCatalog, key);
      return vatRateFromEnum(rate?.['ПеречислениеСтавкаНДС']) ?? vatFromOneC(text(rate?.['Description'])) ?? null;
    }
    return vatRateFromEnum(item['СтавкаНДС']) ?? vatRateFromEnum(item['УдалитьСтавкаНДС']);
  }

  /**
   * Ref_Keys of the additional attributes (БСП ДополнительныеРеквизитыИСведения) whose `Имя` is one of `names`: how
   * an integrator's «ТрекНомер» is found in any base, whatever its GUID there.
   */
  async propertyRefs(names: readonly string[]): Promise<Set<string>> {
    const key = `props:${names.join(',')}`;
    let p = this.named.get(key) as Promise<Set<string>> | undefined;
    if (!p) {
      p = (async () => {
        const out = new Set<string>();
        for (const n of names) {
          const rows = await this.client.list('ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения', { filter: eq('Имя', n), select: ['Ref_Key'] }).catch((e: unknown) => {
            if (e instanceof OneCError && (e.status === 404 || e.status === 400)) return [];
            throw e;
          });
          for (const r of rows) {
            const k = refOf(r['Ref_Key']);
            if (k) out.add(k);
          }
        }
        return out;
      })();
      this.named.set(key, p);
    }
    return p;
  }

  /** Contact-information kinds by Ref_Key → name («Телефон мобильный», «Юридический адрес»). */
  async contactKindNames(): Promise<Map<string, string>> {
    const rows = await this.all('Catalog_ВидыКонтактнойИнформации');
    return new Map(rows.flatMap((r) => (refOf(r['Ref_Key']) ? [[refOf(r['Ref_Key'])!, text(r['Description'])] as [string, string]] : [])));
  }
}
