// Reads 1C's `$metadata` (CSDL XML, reference §1.3) into entity sets and type properties. Real УТ schemas are ~15 MB
// with thousands of types, so this is a single regex pass over the tags we need, not a DOM: EntitySet, EntityType,
// ComplexType and their Property / NavigationProperty children.

export interface ODataSchema {
  /** Entity set name → entity type name without the `StandardODATA.` prefix. */
  entitySets: Map<string, string>;
  /** Entity or complex type name → property name → EDM type (`Edm.Int64`, `Collection(StandardODATA.X_RowType)`). */
  types: Map<string, Map<string, string>>;
}

const TAG = /<(\/?)(EntitySet|EntityType|ComplexType|Property|NavigationProperty)\b([^>]*?)(\/?)>/g;
const ATTR = /([\w:]+)="([^"]*)"/g;

function attrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(ATTR)) out[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return out;
}

const bare = (t: string) => t.replace(/^StandardODATA\./, '');

export function parseMetadata(xml: string): ODataSchema {
  if (!/<edmx:Edmx\b|<Edmx\b/.test(xml)) {
    // 1C answers auth problems with an HTML page and HTTP 200 sometimes (reference §1.1): say so instead of "empty".
    throw new Error(`not a CSDL document (starts with ${JSON.stringify(xml.slice(0, 80))})`);
  }
  const entitySets = new Map<string, string>();
  const types = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const m of xml.matchAll(TAG)) {
    const [, closing, tag, rest, selfClosing] = m;
    if (tag === 'EntityType' || tag === 'ComplexType') {
      if (closing) current = undefined;
      else {
        const name = attrs(rest!)['Name'];
        if (!name) continue;
        current = new Map();
        types.set(name, current);
        if (selfClosing) current = undefined;
      }
    } else if (tag === 'EntitySet' && !closing) {
      const a = attrs(rest!);
      if (a['Name']) entitySets.set(a['Name'], bare(a['EntityType'] ?? a['Name']));
    } else if ((tag === 'Property' || tag === 'NavigationProperty') && !closing && current) {
      const a = attrs(rest!);
      // Navigation properties have no Type; they are recorded so a profile may name them (`Контрагент/ИНН`).
      if (a['Name']) current.set(a['Name'], tag === 'Property' ? (a['Type'] ?? '') : 'Navigation');
    }
  }
  return { entitySets, types };
}

/** Properties of an entity set's type, or of one of its table parts' row type; undefined when either is absent. */
export function propertiesOf(schema: ODataSchema, set: string, table?: string): Map<string, string> | undefined {
  const typeName = schema.entitySets.get(set);
  const type = typeName === undefined ? undefined : schema.types.get(typeName);
  if (!type || table === undefined) return type;
  const coll = type.get(table);
  const m = coll ? /^Collection\((?:StandardODATA\.)?(.+)\)$/.exec(coll) : null;
  return m ? schema.types.get(m[1]!) : undefined;
}
