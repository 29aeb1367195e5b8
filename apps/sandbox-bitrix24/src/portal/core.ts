// What every part of the portal model shares: the clock and timezone, id sequences, custom-field definitions and
// the multi-field values (PHONE/EMAIL/WEB/IM) that carry their own ids across entities.
import { str, isMap, param, int, type Php, type PhpMap } from '../rest/php.ts';
import { UserFields } from './userfields.ts';

export interface MultiValue {
  ID: number;
  TYPE_ID: string;
  VALUE: string;
  VALUE_TYPE: string;
}

export const MULTI_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'] as const;

export class Core {
  private ids = new Map<string, number>();
  readonly userfields = new UserFields((k) => this.nextId(k));
  /** Multi-field values by "<entity>|<owner id>". */
  multi = new Map<string, MultiValue[]>();

  constructor(public offsetMin: number) {}

  now(): number {
    return Date.now();
  }

  /** Next id of a sequence; an explicit (seeded) id is taken as is and later ids continue above it. */
  nextId(kind: string, explicit?: number): number {
    const cur = this.ids.get(kind) ?? 0;
    const id = explicit ?? cur + 1;
    this.ids.set(kind, Math.max(cur, id));
    return id;
  }

  /** Gives back the last id of a sequence when the insert it was taken for failed validation (no gap, as no row was written). */
  releaseId(kind: string, id: number): void {
    if (this.ids.get(kind) === id) this.ids.set(kind, id - 1);
  }

  reset(): void {
    this.ids.clear();
    this.multi.clear();
    this.userfields.clear();
  }

  multiOf(entity: string, owner: number): MultiValue[] {
    return this.multi.get(`${entity}|${owner}`) ?? [];
  }

  /**
   * Legacy multi-field write (reference §6.5): items without ID are appended, items with ID replace that value,
   * `DELETE: 'Y'` or an empty VALUE removes it, values not mentioned are kept. On add, everything is new.
   * Returns whether anything changed.
   */
  writeMulti(entity: string, owner: number, type: string, input: Php): boolean {
    const key = `${entity}|${owner}`;
    const list = [...(this.multi.get(key) ?? [])];
    let changed = false;
    const items: Array<[string, Php]> = Array.isArray(input) ? input.map((x, i) => [String(i), x]) : isMap(input) ? Object.entries(input) : [];
    for (const [k, item] of items) {
      if (!isMap(item)) continue;
      // The internal format keys existing values by their id ({"156": {...}}); REST items usually carry ID.
      const idRaw = param(item, 'ID') ?? (/^\d+$/.test(k) && list.some((v) => v.ID === Number(k)) ? k : undefined);
      const id = idRaw === undefined || idRaw === '' ? 0 : int(idRaw);
      const value = str(param(item, 'VALUE')).trim();
      const valueType = str(param(item, 'VALUE_TYPE')) || 'WORK';
      const existing = id > 0 ? list.findIndex((v) => v.ID === id && v.TYPE_ID === type) : -1;
      if (existing >= 0) {
        if (str(param(item, 'DELETE')).toUpperCase() === 'Y' || value === '') list.splice(existing, 1);
        else list[existing] = { ...list[existing]!, VALUE: value, VALUE_TYPE: str(param(item, 'VALUE_TYPE')) || list[existing]!.VALUE_TYPE };
        changed = true;
      } else if (id === 0 && value !== '') {
        list.push({ ID: this.nextId('fm'), TYPE_ID: type, VALUE: value, VALUE_TYPE: valueType });
        changed = true;
      }
    }
    this.multi.set(key, list);
    return changed;
  }

  dropMulti(entity: string, owner: number): void {
    this.multi.delete(`${entity}|${owner}`);
  }
}

export function renderMulti(v: MultiValue): PhpMap {
  return { ID: String(v.ID), VALUE_TYPE: v.VALUE_TYPE, VALUE: v.VALUE, TYPE_ID: v.TYPE_ID };
}

