// `$metadata` (CSDL, XML only) and the service document generated from a compiled profile in the shape of reference
// §1.3: StandardODATA, EnterpriseV8, Begin/End associations, `_RowType`s, `_RecordType`s, FunctionImports, enums.
import { el, esc } from '../xml.ts';
import type { Model, NavProp, ObjectDef, RegisterDef, WireProp } from './compile.ts';

const NS = 'StandardODATA';

function prop(p: WireProp, nullable = p.nullable): string {
  const maxLength = p.attr.kind === 'scalar' && p.attr.scalar === 'string' && p.role === 'value' && (p.attr.maxLength ?? 0) > 0 ? String(p.attr.maxLength) : undefined;
  return el('Property', { Name: p.name, Type: p.edm, Nullable: nullable ? 'true' : 'false', MaxLength: maxLength });
}

function nav(n: NavProp, association: string): string {
  return el('NavigationProperty', { Name: n.name, Relationship: `${NS}.${association}`, FromRole: 'Begin', ToRole: 'End' });
}

interface Assoc {
  name: string;
  from: string;
  to: string;
}

export interface Publication {
  /** Whether an entity set (or a register and its `_RecordType`) is in the standard interface's composition. */
  has(set: string): boolean;
}

export const PUBLISH_ALL: Publication = { has: () => true };

export function publishedSets(model: Model, pub: Publication): string[] {
  return model.sets.filter((s) => {
    const r = model.resolve(s);
    if (!r) return false;
    return pub.has(r.type === 'table' ? r.def.set : r.def.set);
  });
}

export function buildMetadata(model: Model, pub: Publication = PUBLISH_ALL): string {
  const types: string[] = [];
  const complex: string[] = [];
  const assocs: Assoc[] = [];
  const sets: string[] = [];
  const fis: string[] = [];
  const usedEnums = new Set<string>();
  const noteEnums = (props: WireProp[]) => props.forEach((p) => p.attr.enumName && usedEnums.add(p.attr.enumName));
  const navXml = (owner: string, navs: NavProp[]) =>
    navs
      .filter((n) => pub.has(n.target))
      .map((n) => {
        const a = `${owner}_${n.name}`;
        assocs.push({ name: a, from: owner, to: n.target });
        return nav(n, a);
      })
      .join('');

  for (const def of model.objects.values()) {
    if (!pub.has(def.set)) continue;
    objectTypes(def);
  }
  for (const def of model.registers.values()) {
    if (!pub.has(def.set)) continue;
    registerTypes(def);
  }

  function objectTypes(def: ObjectDef): void {
    noteEnums(def.props);
    const tableProps = def.tables.map((t) => el('Property', { Name: t.name, Type: `Collection(${NS}.${t.rowType})`, Nullable: 'false' })).join('');
    types.push(
      el(
        'EntityType',
        { Name: def.set, OpenType: def.spec.openType ? 'true' : undefined },
        `<Key><PropertyRef Name="Ref_Key"/></Key>${def.props.map((p) => prop(p)).join('')}${tableProps}${navXml(def.set, def.navs)}`,
      ),
    );
    sets.push(el('EntitySet', { Name: def.set, EntityType: `${NS}.${def.set}` }));
    for (const t of def.tables) {
      noteEnums(t.props);
      const ref: WireProp = { name: 'Ref_Key', edm: 'Edm.Guid', attr: { name: 'Ref_Key', kind: 'scalar', scalar: 'guid' }, role: 'value', nullable: false };
      const rowProps = [ref, ...t.props].map((p) => prop(p, p.name === 'Ref_Key' || p.name === 'LineNumber' ? false : p.nullable)).join('');
      types.push(el('EntityType', { Name: t.set }, `<Key><PropertyRef Name="Ref_Key"/><PropertyRef Name="LineNumber"/></Key>${rowProps}${navXml(t.set, t.navs)}`));
      complex.push(el('ComplexType', { Name: t.rowType }, rowProps));
      sets.push(el('EntitySet', { Name: t.set, EntityType: `${NS}.${t.set}` }));
    }
    for (const a of def.actions) {
      const params = a === 'Post' ? el('Parameter', { Name: 'PostingModeOperational', Type: 'Edm.Boolean', Mode: 'In' }) : '';
      fis.push(el('FunctionImport', { Name: a, IsBindable: 'true', EntitySetPath: def.set, 'm:HttpMethod': 'POST' }, params));
    }
  }

  function registerTypes(def: RegisterDef): void {
    noteEnums(def.recordProps);
    const recordXml = def.recordProps.map((p) => prop(p, def.recordKeys.includes(p.name) ? false : p.nullable)).join('');
    const keyXml = (keys: string[]) => `<Key>${keys.map((k) => el('PropertyRef', { Name: k })).join('')}</Key>`;
    if (def.subordinate) {
      const recorder = def.recordProps.filter((p) => p.attr.name === 'Recorder');
      types.push(
        el(
          'EntityType',
          { Name: def.set },
          `${keyXml(['Recorder', 'Recorder_Type'])}${recorder.map((p) => prop(p, false)).join('')}${el('Property', { Name: 'RecordSet', Type: `Collection(${NS}.${def.rowType})`, Nullable: 'false' })}`,
        ),
      );
      sets.push(el('EntitySet', { Name: def.set, EntityType: `${NS}.${def.set}` }));
      const rt = `${def.set}_RecordType`;
      types.push(el('EntityType', { Name: rt }, `${keyXml(def.recordKeys)}${recordXml}${navXml(rt, def.navs)}`));
      sets.push(el('EntitySet', { Name: rt, EntityType: `${NS}.${rt}` }));
    } else {
      types.push(el('EntityType', { Name: def.set }, `${keyXml(def.recordKeys)}${recordXml}${navXml(def.set, def.navs)}`));
      sets.push(el('EntitySet', { Name: def.set, EntityType: `${NS}.${def.set}` }));
    }
    complex.push(el('ComplexType', { Name: def.rowType }, recordXml));
    for (const f of def.functions) {
      complex.push(el('ComplexType', { Name: f.resultType }, f.props.map((p) => prop(p)).join('')));
      fis.push(
        el(
          'FunctionImport',
          { Name: f.name, ReturnType: `Collection(${NS}.${f.resultType})`, IsBindable: 'true', EntitySetPath: f.boundTo, 'm:HttpMethod': 'GET' },
          f.params.map((p) => el('Parameter', { Name: p.name, Type: p.edm, Mode: 'In', Nullable: 'true' })).join(''),
        ),
      );
    }
  }

  const enums = [...usedEnums]
    .filter((e) => model.enums[e])
    .map((e) => el('EnumType', { Name: `Enum_${e}`, UnderlyingType: 'Edm.Int32' }, model.enums[e]!.map((v, i) => el('Member', { Name: v, Value: String(i) })).join('')));
  const assocXml = assocs.map((a) =>
    el(
      'Association',
      { Name: a.name },
      el('End', { Role: 'Begin', Type: `${NS}.${a.from}`, Multiplicity: '*' }) + el('End', { Role: 'End', Type: `${NS}.${a.to}`, Multiplicity: '0..1' }),
    ),
  );
  const assocSets = assocs.map((a) =>
    el(
      'AssociationSet',
      { Name: a.name, Association: `${NS}.${a.name}` },
      el('End', { Role: 'Begin', EntitySet: a.from }) + el('End', { Role: 'End', EntitySet: a.to }),
    ),
  );
  const container = el('EntityContainer', { Name: 'EnterpriseV8', 'm:IsDefaultEntityContainer': 'true' }, [...sets, ...assocSets, ...fis].join(''));
  const schema = `<Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="${NS}">${types.join('')}${complex.join('')}${enums.join('')}${assocXml.join('')}${container}</Schema>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">' +
    '<edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0">' +
    schema +
    '</edmx:DataServices></edmx:Edmx>'
  );
}

/** The Atom service document (what 1C answers at `…/standard.odata/` without `$format=json`). */
export function serviceDocumentAtom(base: string, sets: string[]): string {
  const collections = sets.map((s) => `<collection href="${esc(s)}"><atom:title>${esc(s)}</atom:title></collection>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<service xmlns="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom" xml:base="${esc(base)}"><workspace><atom:title>Default</atom:title>${collections}</workspace></service>`
  );
}

export function serviceDocumentJson(base: string, sets: string[]): unknown {
  return { 'odata.metadata': `${base}$metadata`, value: sets.map((s) => ({ name: s, url: s })) };
}
