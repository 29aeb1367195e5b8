// What the pollers remember per 1C object between runs (the DataVersion they published, a balance and its change
// count), kept in the store's cursor table next to the job cursors, so it commits in the same transaction as the
// events it describes. Reads are batched: one query per page of objects, not one per object.
import type { StoreTx } from '@esb/store';

/** States of the given names (absent ones are missing from the map). */
export async function statesByName(tx: StoreTx, names: readonly string[]): Promise<Map<string, string>> {
  if (!names.length) return new Map();
  const rows: Array<{ name: string; value: string }> = await tx.manager.query(`SELECT name, value FROM cursor WHERE name = ANY($1)`, [names]);
  return new Map(rows.map((r) => [r.name, r.value]));
}

/** Every state whose name starts with `prefix` (a register snapshot), keyed by the rest of the name. */
export async function statesByPrefix(tx: StoreTx, prefix: string): Promise<Map<string, string>> {
  // starts_with, not LIKE: entity-set names and GUID keys contain "_", LIKE's wildcard.
  const rows: Array<{ name: string; value: string }> = await tx.manager.query(`SELECT name, value FROM cursor WHERE starts_with(name, $1)`, [prefix]);
  return new Map(rows.map((r) => [r.name.slice(prefix.length), r.value]));
}

export function setState(tx: StoreTx, name: string, value: string): Promise<void> {
  return tx.cursorSet(name, value);
}
