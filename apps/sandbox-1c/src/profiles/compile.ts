// Turns a profile into the wire model of the standard OData interface: `X_Key` + navigation for references, `X` +
// `X_Type` for composites, English standard attributes, and the extra sets of table parts and registers.
import type { AttributeQuirks, Attrs, ObjectKind, ObjectSpec, ProfileNames, ProfileSpec, RegisterSpec, TypeSpec } from './types.ts';

export type Scalar = 'string' | 'double' | 'int16' | 'int32' | 'int64' | 'boolean' | 'date' | 'guid' | 'enum';

export interface AttrDef {
  /** The attribute name as in the configurator (`Контрагент`) or the standard English name (`Ref_Key`, `Parent`). */
  name: string;
  kind: 'scalar' | 'ref' | 'composite' | 'storage';
  scalar?: Scalar;
  /** Strings: 0 = unlimited (not comparable in WHERE), otherwise the declared length. */
  maxLength?: number;
  enumName?: string;
  /** References: the target entity set. */
  target?: string;
  /** Composites: member types (entity set names or `Edm.String`/`Edm.Double`/`Edm.Boolean`/`Edm.DateTime`). */
  types?: string[];
  stringLiteralMatchesRef?: boolean;
  /** Standard attributes cannot be set by clients (DataVersion, Posted, Predefined…). */
  readOnly?: boolean;
}

export interface WireProp {
  name: string;
  edm: string;
  attr: AttrDef;
  role: 'value' | 'key' | 'type' | 'base64';
  nullable: boolean;
}

export interface NavProp {
  name: string;
  /** The wire property holding the GUID (`Контрагент_Key`). */
  keyProp: string;
  target: string;
  association: string;
}

export interface TableDef {
  name: string;
  owner: string;
  set: string;
  rowType: string;
  attrs: AttrDef[];
  /** Row properties without the owner's Ref_Key (inline rows), LineNumber first. */
  props: WireProp[];
  navs: NavProp[];
  byWire: Map<string, WireProp>;
}

export interface ObjectDef {
  type: 'object';
  spec: ObjectSpec;
  kind: ObjectKind;
  set: string;
  props: WireProp[];
  byWire: Map<string, WireProp>;
  attrs: Map<string, AttrDef>;
  tables: TableDef[];
  navs: NavProp[];
  /** Bound actions published in `$metadata` (`Post`, `Unpost`, `Start`, `ExecuteTask`). */
  actions: string[];
}

export interface VirtualTable {
  name: 'Balance' | 'Turnovers' | 'BalanceAndTurnovers' | 'SliceLast' | 'SliceFirst';
  params: Array<{ name: string; edm: string }>;
  resultType: string;
  /** Output columns (dimensions, then computed resource columns). */
  props: WireProp[];
  /** The entity set the function is bound to. */
  boundTo: string;
}

export interface RegisterDef {
  type: 'register';
  spec: RegisterSpec;
  kind: RegisterSpec['kind'];
  set: string;
  periodic: boolean;
  subordinate: boolean;
  accumulation?: 'balance' | 'turnovers';
  dims: AttrDef[];
  resources: AttrDef[];
  attributes: AttrDef[];
  /** Flat record properties (the `_RecordType` / independent register entity). */
  recordProps: WireProp[];
  recordByWire: Map<string, WireProp>;
  /** Key properties of a single record. */
  recordKeys: string[];
  rowType: string;
  navs: NavProp[];
  functions: VirtualTable[];
}

export type Resolved =
  | { type: 'object'; def: ObjectDef }
  | { type: 'table'; def: ObjectDef; table: TableDef }
  | { type: 'recordSets'; def: RegisterDef }
  | { type: 'records'; def: RegisterDef };

export interface Model {
  profile: ProfileSpec;
  names: ProfileNames;
  objects: Map<string, ObjectDef>;
  registers: Map<string, RegisterDef>;
  enums: Record<string, string[]>;
  /** Every entity set name in publication order. */
  sets: string[];
  resolve(set: string): Resolved | undefined;
  /** The entity set (or record view) for `StandardODATA.<name>` type names. */
  synonymOf(set: string): string;
}

const REF_RE = /^(Catalog|Document|ChartOfCharacteristicTypes|ChartOfAccounts|BusinessProcess|Task|ExchangePlan)_/;
const COMPOSITE_PRIMITIVES: Record<string, string> = { String: 'Edm.String', Number: 'Edm.Double', Boolean: 'Edm.Boolean', Date: 'Edm.DateTime' };

export const EDM: Record<Scalar, string> = {
  string: 'Edm.String',
  double: 'Edm.Double',
  int16: 'Edm.Int16',
  int32: 'Edm.Int32',
  int64: 'Edm.Int64',
  boolean: 'Edm.Boolean',
  date: 'Edm.DateTime',
  guid: 'Edm.Guid',
  enum: 'Edm.String',
};

export function parseType(name: string, spec: TypeSpec, quirks?: AttributeQuirks): AttrDef {
  const base = { name };
  if (spec === 'S') return { ...base, kind: 'scalar', scalar: 'string', maxLength: 0 };
  const s = /^S:(\d+)$/.exec(spec);
  if (s) return { ...base, kind: 'scalar', scalar: 'string', maxLength: Number(s[1]) };
  const simple: Record<string, Scalar> = { N: 'double', I16: 'int16', I32: 'int32', I64: 'int64', B: 'boolean', D: 'date', G: 'guid' };
  if (simple[spec]) return { ...base, kind: 'scalar', scalar: simple[spec] };
  if (spec.startsWith('E:')) return { ...base, kind: 'scalar', scalar: 'enum', enumName: spec.slice(2) };
  if (spec === 'V') return { ...base, kind: 'storage' };
  if (spec.startsWith('C:')) {
    const types = spec
      .slice(2)
      .split('|')
      .map((t) => COMPOSITE_PRIMITIVES[t] ?? t);
    return { ...base, kind: 'composite', types, ...(quirks?.stringLiteralMatchesRef?.includes(name) ? { stringLiteralMatchesRef: true } : {}) };
  }
  if (REF_RE.test(spec)) return { ...base, kind: 'ref', target: spec };
  throw new Error(`profile: attribute ${name} has an unknown type "${spec}"`);
}

/** The wire properties of one attribute, in the order 1C emits them. */
export function wireProps(a: AttrDef, nullable = true): WireProp[] {
  switch (a.kind) {
    case 'scalar':
      return [{ name: a.name, edm: EDM[a.scalar!], attr: a, role: 'value', nullable }];
    case 'ref':
      return [{ name: `${a.name}_Key`, edm: 'Edm.Guid', attr: a, role: 'key', nullable }];
    case 'composite':
      return [
        { name: a.name, edm: 'Edm.String', attr: a, role: 'value', nullable },
        { name: `${a.name}_Type`, edm: 'Edm.String', attr: a, role: 'type', nullable },
      ];
    case 'storage':
      return [
        { name: `${a.name}_Base64Data`, edm: 'Edm.Binary', attr: a, role: 'base64', nullable },
        { name: `${a.name}_Type`, edm: 'Edm.String', attr: a, role: 'type', nullable },
      ];
  }
}

const std = (name: string, scalar: Scalar, extra: Partial<AttrDef> = {}): AttrDef => ({ name, kind: 'scalar', scalar, readOnly: false, ...extra });

function standardAttrs(spec: ObjectSpec, set: string): { head: AttrDef[]; tail: AttrDef[] } {
  const head: AttrDef[] = [std('Ref_Key', 'guid'), std('DataVersion', 'string', { readOnly: true }), std('DeletionMark', 'boolean')];
  const tail: AttrDef[] = [];
  switch (spec.kind) {
    case 'Catalog':
    case 'ChartOfCharacteristicTypes':
      if (spec.hierarchical) head.push({ name: 'Parent', kind: 'ref', target: set }, std('IsFolder', 'boolean'));
      if (spec.owners?.length === 1) head.push({ name: 'Owner', kind: 'ref', target: spec.owners[0]! });
      else if (spec.owners && spec.owners.length > 1) head.push({ name: 'Owner', kind: 'composite', types: spec.owners });
      if ((spec.codeLength ?? 9) > 0) head.push(std('Code', 'string', { maxLength: spec.codeLength ?? 9 }));
      if ((spec.descriptionLength ?? 100) > 0) head.push(std('Description', 'string', { maxLength: spec.descriptionLength ?? 100 }));
      tail.push(std('Predefined', 'boolean', { readOnly: true }), std('PredefinedDataName', 'string', { readOnly: true }));
      break;
    case 'Document':
      head.push(std('Number', 'string', { maxLength: spec.numberLength ?? 11 }), std('Date', 'date'), std('Posted', 'boolean', { readOnly: true }));
      break;
    case 'BusinessProcess':
      head.push(std('Number', 'string', { maxLength: spec.numberLength ?? 11 }), std('Date', 'date'), std('Started', 'boolean', { readOnly: true }), std('Completed', 'boolean', { readOnly: true }));
      head.push({ name: 'HeadTask', kind: 'ref', target: 'Task_ЗадачаИсполнителя' });
      break;
    case 'Task':
      head.push(
        std('Number', 'string', { maxLength: spec.numberLength ?? 11 }),
        std('Date', 'date'),
        std('Description', 'string', { maxLength: spec.descriptionLength ?? 150 }),
        std('Executed', 'boolean', { readOnly: true }),
        { name: 'BusinessProcess', kind: 'composite', types: [] },
        std('RoutePoint', 'string', { readOnly: true }),
      );
      break;
  }
  return { head, tail };
}

function navsOf(owner: string, attrs: AttrDef[]): NavProp[] {
  return attrs
    .filter((a) => a.kind === 'ref')
    .map((a) => ({ name: a.name, keyProp: `${a.name}_Key`, target: a.target!, association: `${owner}_${a.name}` }));
}

function compileAttrs(attrs: Attrs | undefined, quirks?: AttributeQuirks): AttrDef[] {
  return Object.entries(attrs ?? {}).map(([n, t]) => parseType(n, t, quirks));
}

function compileObject(spec: ObjectSpec, bpTypes: string[]): ObjectDef {
  const set = `${spec.kind}_${spec.name}`;
  const { head, tail } = standardAttrs(spec, set);
  const bp = head.find((a) => a.name === 'BusinessProcess');
  if (bp) bp.types = bpTypes;
  const own = compileAttrs(spec.attrs, spec.quirks);
  const all = [...head, ...own, ...tail];
  const props = all.flatMap((a) => wireProps(a, a.name !== 'Ref_Key'));
  const tables: TableDef[] = Object.entries(spec.tables ?? {}).map(([name, cols]) => {
    const attrs = [std('LineNumber', 'int64', { readOnly: true }), ...compileAttrs(cols)];
    const tprops = attrs.flatMap((a) => wireProps(a));
    return {
      name,
      owner: set,
      set: `${set}_${name}`,
      rowType: `${set}_${name}_RowType`,
      attrs,
      props: tprops,
      navs: navsOf(`${set}_${name}`, attrs),
      byWire: new Map(tprops.map((p) => [p.name, p])),
    };
  });
  const actions: string[] = [];
  if (spec.kind === 'Document' && spec.posting !== false) actions.push('Post', 'Unpost');
  if (spec.kind === 'BusinessProcess') actions.push('Start');
  if (spec.kind === 'Task') actions.push('ExecuteTask');
  return {
    type: 'object',
    spec,
    kind: spec.kind,
    set,
    props,
    byWire: new Map(props.map((p) => [p.name, p])),
    attrs: new Map(all.map((a) => [a.name, a])),
    tables,
    navs: navsOf(set, all),
    actions,
  };
}

function vt(name: VirtualTable['name'], boundTo: string, reg: string, params: Array<[string, string]>, props: WireProp[]): VirtualTable {
  return { name, boundTo, resultType: `${reg}_${name}`, params: params.map(([n, e]) => ({ name: n, edm: e })), props };
}

function compileRegister(spec: RegisterSpec): RegisterDef {
  const set = `${spec.kind}_${spec.name}`;
  const dims = compileAttrs(spec.dimensions, spec.quirks);
  const resources = compileAttrs(spec.resources, spec.quirks);
  const attributes = compileAttrs(spec.attributes, spec.quirks);
  const subordinate = (spec.recorders?.length ?? 0) > 0;
  const periodic = spec.kind === 'AccumulationRegister' || !!spec.periodic;
  // Order as in real payloads: Period, Recorder, Recorder_Type, LineNumber, Active, RecordType, dimensions, resources.
  const head: AttrDef[] = [];
  if (periodic) head.push(std('Period', 'date'));
  if (subordinate) head.push({ name: 'Recorder', kind: 'composite', types: spec.recorders! });
  if (subordinate) head.push(std('LineNumber', 'int64', { readOnly: true }), std('Active', 'boolean'));
  if (spec.kind === 'AccumulationRegister' && spec.accumulation !== 'turnovers') head.push(std('RecordType', 'string'));
  const all = [...head, ...dims, ...resources, ...attributes];
  const recordProps = all.flatMap((a) => wireProps(a, !['Recorder', 'Period', 'LineNumber'].includes(a.name) && !dims.includes(a)));
  const recordKeys = subordinate
    ? spec.kind === 'AccumulationRegister'
      ? ['Recorder', 'LineNumber', 'Recorder_Type']
      : [...(periodic ? ['Period'] : []), ...dims.flatMap((d) => wireProps(d).map((p) => p.name))]
    : [...(periodic ? ['Period'] : []), ...dims.flatMap((d) => wireProps(d).map((p) => p.name))];
  const dimProps = dims.flatMap((d) => wireProps(d));
  const num = (name: string): WireProp => ({ name, edm: 'Edm.Double', attr: { name, kind: 'scalar', scalar: 'double' }, role: 'value', nullable: true });
  const functions: VirtualTable[] = [];
  if (spec.kind === 'AccumulationRegister') {
    const cond: Array<[string, string]> = [
      ['Condition', 'Edm.String'],
      ['Dimensions', 'Edm.String'],
    ];
    if (spec.accumulation !== 'turnovers') {
      functions.push(vt('Balance', set, set, [['Period', 'Edm.DateTime'], ...cond], [...dimProps, ...resources.map((r) => num(`${r.name}Balance`))]));
      functions.push(
        vt('Turnovers', set, set, [['StartPeriod', 'Edm.DateTime'], ['EndPeriod', 'Edm.DateTime'], ...cond], [
          ...dimProps,
          ...resources.flatMap((r) => [num(`${r.name}Receipt`), num(`${r.name}Expense`), num(`${r.name}Turnover`)]),
        ]),
      );
      functions.push(
        vt('BalanceAndTurnovers', set, set, [['StartPeriod', 'Edm.DateTime'], ['EndPeriod', 'Edm.DateTime'], ...cond], [
          ...dimProps,
          ...resources.flatMap((r) => [num(`${r.name}OpeningBalance`), num(`${r.name}Receipt`), num(`${r.name}Expense`), num(`${r.name}Turnover`), num(`${r.name}ClosingBalance`)]),
        ]),
      );
    } else {
      functions.push(vt('Turnovers', set, set, [['StartPeriod', 'Edm.DateTime'], ['EndPeriod', 'Edm.DateTime'], ...cond], [...dimProps, ...resources.map((r) => num(`${r.name}Turnover`))]));
    }
  } else if (periodic) {
    // Recorder-subordinate registers expose slices on `<Reg>_RecordType`, independent ones on the register set itself.
    const boundTo = subordinate ? `${set}_RecordType` : set;
    for (const f of ['SliceLast', 'SliceFirst'] as const) functions.push(vt(f, boundTo, set, [['Period', 'Edm.DateTime'], ['Condition', 'Edm.String']], recordProps));
  }
  return {
    type: 'register',
    spec,
    kind: spec.kind,
    set,
    periodic,
    subordinate,
    ...(spec.kind === 'AccumulationRegister' ? { accumulation: spec.accumulation ?? 'balance' } : {}),
    dims,
    resources,
    attributes,
    recordProps,
    recordByWire: new Map(recordProps.map((p) => [p.name, p])),
    recordKeys,
    rowType: `${set}_RowType`,
    navs: navsOf(set, all),
    functions,
  };
}

export function compileProfile(profile: ProfileSpec): Model {
  const bpTypes = profile.objects.filter((o) => o.kind === 'BusinessProcess').map((o) => `BusinessProcess_${o.name}`);
  const objects = new Map<string, ObjectDef>();
  const registers = new Map<string, RegisterDef>();
  const lookup = new Map<string, Resolved>();
  const sets: string[] = [];
  for (const o of profile.objects) {
    const def = compileObject(o, bpTypes);
    if (objects.has(def.set)) throw new Error(`profile ${profile.id}: ${def.set} declared twice`);
    objects.set(def.set, def);
    lookup.set(def.set, { type: 'object', def });
    sets.push(def.set);
    for (const t of def.tables) {
      lookup.set(t.set, { type: 'table', def, table: t });
      sets.push(t.set);
    }
  }
  for (const r of profile.registers) {
    const def = compileRegister(r);
    registers.set(def.set, def);
    lookup.set(def.set, def.subordinate ? { type: 'recordSets', def } : { type: 'records', def });
    sets.push(def.set);
    if (def.subordinate) {
      lookup.set(`${def.set}_RecordType`, { type: 'records', def });
      sets.push(`${def.set}_RecordType`);
    }
  }
  // Every reference must point at something the profile publishes, or `$metadata` would have dangling associations.
  const known = (t: string) => objects.has(t);
  for (const def of objects.values()) {
    for (const n of [...def.navs, ...def.tables.flatMap((t) => t.navs)]) if (!known(n.target)) throw new Error(`profile ${profile.id}: ${def.set}.${n.name} refers to unknown ${n.target}`);
  }
  for (const def of registers.values()) for (const n of def.navs) if (!known(n.target)) throw new Error(`profile ${profile.id}: ${def.set}.${n.name} refers to unknown ${n.target}`);
  return {
    profile,
    names: profile.names,
    objects,
    registers,
    enums: profile.enums,
    sets,
    resolve: (s) => lookup.get(s),
    synonymOf: (s) => objects.get(s)?.spec.synonym ?? registers.get(s)?.spec.synonym ?? s,
  };
}
