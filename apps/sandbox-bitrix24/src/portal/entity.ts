// A CRM entity table (deals, companies, contacts, requisites, products, smart invoices): typed field definitions,
// writes that ignore read-only/immutable/unknown fields as the portal does, custom fields, multi-fields, and the
// legacy and typed renderings that the REST methods return.
import type { Columns, Kind } from '../rest/list.ts';
import { param, type Php, type PhpMap } from '../rest/php.ts';
import { Core, MULTI_TYPES, renderMulti } from './core.ts';
import { camelName, describe, listKind, normalize, renderLegacy, renderTyped, type FieldDef, type Rec } from './fields.ts';
import { normalizeUf, renderUf, renderUserField, ufFieldDef, type UserField } from './userfields.ts';

export interface EntityConfig {
  /** Multi-field owner key and id sequence name, e.g. DEAL. */
  code: string;
  entityTypeId: number;
  /** UF entity id (CRM_DEAL); absent when the entity has no custom fields here. */
  ufEntityId?: string;
  fields: FieldDef[];
  /** PHONE/EMAIL/WEB/IM are stored for this entity. */
  multi?: boolean;
}

export interface WriteCtx {
  userId: number;
  now: number;
  /** Seeds may set read-only fields (DATE_CREATE, explicit ids). */
  trusted?: boolean;
}

export class Entity {
  readonly rows = new Map<number, Rec>();
  private readonly byName = new Map<string, FieldDef>();
  private readonly byCamelName = new Map<string, FieldDef>();

  constructor(
    readonly cfg: EntityConfig,
    readonly core: Core,
  ) {
    for (const f of cfg.fields) {
      this.byName.set(f.name, f);
      this.byCamelName.set(camelName(f).toLowerCase(), f);
    }
  }

  get offsetMin(): number {
    return this.core.offsetMin;
  }

  field(name: string): FieldDef | undefined {
    return this.byName.get(name.toUpperCase());
  }

  fieldByCamel(name: string): FieldDef | undefined {
    return this.byCamelName.get(name.toLowerCase());
  }

  ufs(): UserField[] {
    return this.cfg.ufEntityId ? this.core.userfields.of(this.cfg.ufEntityId) : [];
  }

  uf(name: string): UserField | undefined {
    return this.cfg.ufEntityId ? this.core.userfields.find(this.cfg.ufEntityId, name.toUpperCase()) : undefined;
  }

  get(id: number): Rec | undefined {
    return this.rows.get(id);
  }

  all(): Rec[] {
    return [...this.rows.values()].sort((a, b) => a.ID - b.ID);
  }

  /** Hook: defaults of a new record before the input is applied. */
  protected defaults(_rec: Rec, _ctx: WriteCtx): void {}

  /** Hook: derived fields and validation after input is applied; may throw a RestError. */
  protected derive(_rec: Rec, _prev: Rec | undefined, _changed: Set<string>, _ctx: WriteCtx): void {}

  /** Applies UPPER_CASE input to a record; returns the names of fields that changed. */
  protected apply(rec: Rec, input: PhpMap, isAdd: boolean, ctx: WriteCtx): Set<string> {
    const changed = new Set<string>();
    for (const [k, v] of Object.entries(input)) {
      const name = k.toUpperCase();
      if (this.cfg.multi && (MULTI_TYPES as readonly string[]).includes(name)) {
        if (this.core.writeMulti(this.cfg.code, rec.ID, name, v)) changed.add(name);
        continue;
      }
      const uf = name.startsWith('UF_') ? this.uf(name) : undefined;
      if (uf) {
        const n = normalizeUf(uf, v, this.offsetMin);
        if (n !== undefined && JSON.stringify(rec[name] ?? null) !== JSON.stringify(n)) {
          rec[name] = n;
          changed.add(name);
        }
        continue;
      }
      const f = this.byName.get(name);
      if (!f || name === 'ID') continue;
      if ((f.ro || (f.immutable && !isAdd)) && !ctx.trusted) continue;
      const n = normalize(f, v, this.offsetMin);
      if (n === undefined) continue;
      if (JSON.stringify(rec[name] ?? null) !== JSON.stringify(n)) {
        rec[name] = n;
        changed.add(name);
      }
    }
    return changed;
  }

  create(input: PhpMap, ctx: WriteCtx, explicitId?: number): Rec {
    const id = this.core.nextId(this.cfg.code, explicitId);
    const rec: Rec = { ID: id };
    this.defaults(rec, ctx);
    const changed = this.apply(rec, input, true, ctx);
    try {
      this.derive(rec, undefined, changed, ctx);
    } catch (e) {
      this.core.dropMulti(this.cfg.code, id);
      if (explicitId === undefined) this.core.releaseId(this.cfg.code, id);
      throw e;
    }
    this.rows.set(id, rec);
    return rec;
  }

  /** Updates in place; returns changed field names and the record as it was before. */
  update(id: number, input: PhpMap, ctx: WriteCtx): { rec: Rec; prev: Rec; changed: Set<string> } {
    const cur = this.rows.get(id);
    if (!cur) throw new Error(`no ${this.cfg.code} ${id}`);
    const prev = structuredClone(cur);
    const next = structuredClone(cur);
    const multiBefore = structuredClone(this.core.multiOf(this.cfg.code, id));
    const changed = this.apply(next, input, false, ctx);
    try {
      this.derive(next, prev, changed, ctx);
    } catch (e) {
      this.core.multi.set(`${this.cfg.code}|${id}`, multiBefore);
      throw e;
    }
    this.rows.set(id, next);
    return { rec: next, prev, changed };
  }

  delete(id: number): boolean {
    this.core.dropMulti(this.cfg.code, id);
    return this.rows.delete(id);
  }

  clear(): void {
    this.rows.clear();
  }

  /** Legacy read view (crm.deal.get): every field, custom fields, then non-empty multi-fields. */
  legacy(rec: Rec): PhpMap {
    const out: PhpMap = {};
    for (const f of this.cfg.fields) if (!f.writeOnly) out[f.name] = renderLegacy(f, rec[f.name], this.offsetMin);
    for (const u of this.ufs()) out[u.FIELD_NAME] = renderUf(u, rec[u.FIELD_NAME], this.offsetMin, false);
    if (this.cfg.multi) {
      for (const t of MULTI_TYPES) {
        const vals = this.core.multiOf(this.cfg.code, rec.ID).filter((v) => v.TYPE_ID === t);
        if (vals.length) out[t] = vals.map(renderMulti);
      }
    }
    return out;
  }

  /** Typed read view (crm.item.get): camelCase, numbers as numbers, custom fields camelCased unless asked not to. */
  typed(rec: Rec, useOriginalUfNames = false): PhpMap {
    const out: PhpMap = {};
    for (const f of this.cfg.fields) out[camelName(f)] = renderTyped(f, rec[f.name], this.offsetMin);
    for (const u of this.ufs()) out[useOriginalUfNames ? u.FIELD_NAME : ufCamel(u.FIELD_NAME)] = renderUf(u, rec[u.FIELD_NAME], this.offsetMin, true);
    out.entityTypeId = this.cfg.entityTypeId;
    return out;
  }

  /** crm.item input (camelCase, ufCrm_*) → legacy UPPER_CASE input. */
  fromTyped(input: PhpMap): PhpMap {
    const out: PhpMap = {};
    for (const [k, v] of Object.entries(input)) {
      if (/^uf/i.test(k)) {
        const u = this.ufs().find((x) => x.FIELD_NAME === k.toUpperCase() || ufCamel(x.FIELD_NAME) === k);
        if (u) out[u.FIELD_NAME] = v;
        continue;
      }
      const f = this.fieldByCamel(k);
      if (f) out[f.name] = v;
    }
    return out;
  }

  /** Plain (`*`) and custom (`UF_*`, single-valued only, per the docs) field names for select. */
  selectable(): { plain: string[]; uf: string[] } {
    return {
      plain: this.cfg.fields.filter((f) => !f.writeOnly && !f.notInStar).map((f) => f.name),
      uf: this.ufs().filter((u) => u.MULTIPLE !== 'Y').map((u) => u.FIELD_NAME),
    };
  }

  columns(): Columns {
    const kinds: Record<string, Kind> = {};
    // Write-only fields (CONTACT_IDS) cannot be filtered or sorted by in the legacy lists.
    for (const f of this.cfg.fields) if (!f.writeOnly) kinds[f.name] = listKind(f);
    for (const u of this.ufs()) kinds[u.FIELD_NAME] = listKind(ufFieldDef(u));
    if (this.cfg.multi) for (const t of MULTI_TYPES) kinds[t] = 'string';
    return { kinds, offsetMin: this.offsetMin };
  }

  typedColumns(useOriginalUfNames = false): Columns {
    const kinds: Record<string, Kind> = {};
    for (const f of this.cfg.fields) kinds[camelName(f)] = listKind(f);
    for (const u of this.ufs()) kinds[useOriginalUfNames ? u.FIELD_NAME : ufCamel(u.FIELD_NAME)] = listKind(ufFieldDef(u));
    return { kinds, offsetMin: this.offsetMin };
  }

  /** `crm.deal.fields`: base fields, multi-fields, then custom fields with their labels. */
  describeFields(): PhpMap {
    const out: PhpMap = {};
    for (const f of this.cfg.fields) out[f.name] = describe(f);
    if (this.cfg.multi) for (const t of ['PHONE', 'EMAIL', 'WEB', 'IM']) out[t] = { type: 'crm_multifield', isRequired: false, isReadOnly: false, isImmutable: false, isMultiple: true, isDynamic: false, title: t };
    for (const u of this.ufs()) {
      const r = renderUserField(u);
      out[u.FIELD_NAME] = {
        type: u.USER_TYPE_ID,
        isRequired: u.MANDATORY === 'Y',
        isReadOnly: false,
        isImmutable: false,
        isMultiple: u.MULTIPLE === 'Y',
        isDynamic: true,
        title: u.FIELD_NAME,
        listLabel: r.LIST_COLUMN_LABEL ?? null,
        formLabel: r.EDIT_FORM_LABEL ?? null,
        filterLabel: r.LIST_FILTER_LABEL ?? null,
        ...(u.USER_TYPE_ID === 'enumeration' ? { items: u.LIST.map((i) => ({ ID: String(i.ID), VALUE: i.VALUE })) } : {}),
        settings: r.SETTINGS ?? [],
      };
    }
    return out;
  }

  describeTyped(): PhpMap {
    const out: PhpMap = {};
    for (const f of this.cfg.fields) out[camelName(f)] = { ...describe(f), upperName: f.name };
    for (const u of this.ufs()) out[ufCamel(u.FIELD_NAME)] = { type: u.USER_TYPE_ID, isRequired: u.MANDATORY === 'Y', isReadOnly: false, isImmutable: false, isMultiple: u.MULTIPLE === 'Y', isDynamic: true, title: u.FIELD_NAME, upperName: u.FIELD_NAME };
    return out;
  }
}

/**
 * Custom field names in crm.item.*: the UF_CRM_ prefix becomes ufCrm_ and the rest is kept as it is
 * (UF_CRM_1721244707107 → ufCrm_1721244707107, UF_CRM_SMART_INVOICE_… → ufCrm_SMART_INVOICE_…; UNCONFIRMED beyond
 * these documented shapes).
 */
export function ufCamel(name: string): string {
  return name.startsWith('UF_CRM_') ? `ufCrm_${name.slice(7)}` : name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function readId(p: PhpMap): number {
  const v: Php | undefined = param(p, 'id');
  const n = typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : 0;
  return n > 0 ? n : 0;
}
