// The seed format (README «Seed format»): infobases with profile, users and pool, and data shaped as a client would POST;
// catalogs first, then documents (posted afterwards in date order), then independent register records.
import { ODataError } from '../odata/errors.ts';
import { Infobase, type InfobaseConfig } from './infobase.ts';
import { demoData } from './demo.ts';

export interface InfobaseSeed extends InfobaseConfig {
  /** Load the built-in demo data of the profile first (organisation, counterparties, goods, prices, stock…). */
  demo?: boolean;
  data?: Record<string, Array<Record<string, unknown>>>;
}

export interface SeedFile {
  infobases?: InfobaseSeed[];
}

const ORDER: Record<string, number> = { ChartOfCharacteristicTypes: 0, Catalog: 1, Document: 2, BusinessProcess: 3, Task: 4 };

export class SeedError extends Error {}

/** Loads data into an infobase; errors name the entity set and the item so a broken seed is easy to fix. */
export function loadData(ib: Infobase, data: Record<string, Array<Record<string, unknown>>>): { created: number; posted: number } {
  const sets = Object.keys(data);
  for (const s of sets) {
    if (!ib.model.objects.has(s) && !ib.model.registers.has(s)) throw new SeedError(`seed: infobase "${ib.name}" (${ib.model.profile.id}) has no entity set ${s}`);
    const reg = ib.model.registers.get(s);
    if (reg?.subordinate) throw new SeedError(`seed: ${s} is subordinate to a recorder; seed the documents that write it (e.g. ${reg.spec.recorders!.join(', ')}) with "Posted": true`);
  }
  const objectSets = sets.filter((s) => ib.model.objects.has(s)).sort((a, b) => (ORDER[ib.model.objects.get(a)!.kind] ?? 9) - (ORDER[ib.model.objects.get(b)!.kind] ?? 9));
  const toPost: Array<{ set: string; key: string; date: string }> = [];
  let created = 0;
  for (const set of objectSets) {
    for (const [i, item] of (data[set] ?? []).entries()) {
      const { Posted: posted, ...body } = item;
      try {
        const existing = typeof body['Ref_Key'] === 'string' ? ib.get(set, body['Ref_Key']) : undefined;
        const rec = existing ? ib.updateNow(set, String(existing['Ref_Key']), body) : ib.create(set, body, { internal: true });
        created++;
        if (posted === true) toPost.push({ set, key: String(rec['Ref_Key']), date: String(rec['Date']) });
      } catch (e) {
        throw new SeedError(`seed: ${set}[${i}] in infobase "${ib.name}": ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  for (const set of sets.filter((s) => ib.model.registers.has(s))) {
    for (const [i, item] of (data[set] ?? []).entries()) {
      try {
        ib.writeRecordFromBody(set, item);
        created++;
      } catch (e) {
        throw new SeedError(`seed: ${set}[${i}] in infobase "${ib.name}": ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  toPost.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const p of toPost) {
    try {
      ib.postNow(p.set, p.key);
    } catch (e) {
      throw new SeedError(`seed: posting ${p.set}(guid'${p.key}') in infobase "${ib.name}": ${e instanceof ODataError ? e.message : String(e)}`);
    }
  }
  return { created, posted: toPost.length };
}

export function createInfobase(seed: InfobaseSeed): Infobase {
  if (!seed.name || !/^[\p{L}\p{N}_.-]+$/u.test(seed.name)) throw new SeedError(`seed: infobase name "${seed.name}" must be letters, digits, "_", "." or "-"`);
  let ib: Infobase;
  try {
    ib = new Infobase({ ...seed, users: seed.users ?? [{ name: 'odata', password: 'odata' }] });
  } catch (e) {
    throw new SeedError(`seed: infobase "${seed.name}": ${e instanceof Error ? e.message : String(e)}`);
  }
  if (seed.demo) loadData(ib, demoData(ib.model));
  if (seed.data) loadData(ib, seed.data);
  return ib;
}

