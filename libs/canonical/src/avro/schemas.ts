// The canonical schema catalog: reads schemas/*.avsc, inlines the named types shared across files so that every
// event record is one self-contained schema (what a Confluent-compatible registry stores), and builds its avsc type.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { avroTypeOptions } from './logical-types.ts';

/** `schemas/` at the repository root. */
export const DEFAULT_SCHEMAS_DIR = fileURLToPath(new URL('../../../../schemas/', import.meta.url));

/** Prefix of event topics: a record with `"esb.topic": "order"` travels on `esb.events.order`. */
export const EVENT_TOPIC_PREFIX = 'esb.events.';

/** Name of the custom attribute that marks a top-level event record and names its topic suffix. */
export const TOPIC_ATTRIBUTE = 'esb.topic';

export type JsonObject = { [key: string]: unknown };

export interface CanonicalSchema {
  /** Short name: `Order`. */
  name: string;
  /** Full name: `esb.canonical.Order`. */
  fullName: string;
  /** Event topic: `esb.events.order`. */
  topic: string;
  /** Value of the `esb.topic` attribute: `order`. */
  topicSuffix: string;
  /** The .avsc file it was defined in. */
  file: string;
  /** Self-contained schema JSON: every referenced named type inlined at first use; docs, defaults, logical types and custom attributes kept. */
  schema: JsonObject;
  /** `JSON.stringify(schema)`: what is registered. */
  text: string;
  /** avsc type with the canonical logical types (decimals, timestamps, dates, UUIDs as strings). */
  type: Type;
}

export interface NamedTypeDefinition {
  fullName: string;
  name: string;
  namespace: string;
  kind: 'record' | 'enum' | 'fixed';
  /** The file that defines it. */
  file: string;
  /** The definition as written (names inside resolve against `namespace`). */
  schema: JsonObject;
  /** The `esb.topic` attribute, for top-level event records. */
  topicSuffix?: string;
}

/** A schema file or reference problem; never retriable: fix the .avsc files. */
export class SchemaCatalogError extends Error {
  readonly code = 'ESB_SCHEMA_CATALOG';
  readonly retriable = false;
  constructor(
    message: string,
    readonly file?: string,
    readonly typeName?: string,
  ) {
    super(message);
    this.name = 'SchemaCatalogError';
  }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED_KINDS = new Set(['record', 'error', 'enum', 'fixed']);
const TOPIC_SUFFIX_RE = /^[a-z][a-z0-9-]*$/;

interface Loaded {
  types: Map<string, NamedTypeDefinition>;
  catalog: Map<string, CanonicalSchema>;
  byTopic: Map<string, CanonicalSchema>;
}

const cache = new Map<string, Loaded>();

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function qualify(name: string, namespace: string): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function namespaceOf(fullName: string): string {
  const i = fullName.lastIndexOf('.');
  return i < 0 ? '' : fullName.slice(0, i);
}

function definitionNames(node: JsonObject, enclosing: string): { fullName: string; namespace: string } {
  const name = node.name;
  if (typeof name !== 'string' || !name) throw new Error(`a ${String(node.type)} without a name`);
  const namespace = name.includes('.') ? namespaceOf(name) : typeof node.namespace === 'string' ? node.namespace : enclosing;
  const fullName = qualify(name, namespace);
  return { fullName, namespace };
}

/** Every named type defined in one parsed file, in definition order. */
function collectDefinitions(root: unknown, file: string, out: NamedTypeDefinition[]): void {
  const walk = (node: unknown, ns: string, top: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, ns, false));
    if (!isObject(node)) return;
    const t = node.type;
    if (typeof t === 'string' && NAMED_KINDS.has(t)) {
      let names;
      try {
        names = definitionNames(node, ns);
      } catch (e) {
        throw new SchemaCatalogError(`${file}: ${(e as Error).message}`, file);
      }
      const topic = node[TOPIC_ATTRIBUTE];
      if (topic !== undefined && !top) throw new SchemaCatalogError(`${file}: "${TOPIC_ATTRIBUTE}" is only allowed on the file's top-level record, not on ${names.fullName}`, file, names.fullName);
      out.push({
        fullName: names.fullName,
        name: names.fullName.slice(names.fullName.lastIndexOf('.') + 1),
        namespace: names.namespace,
        kind: t === 'error' ? 'record' : (t as 'record' | 'enum' | 'fixed'),
        file,
        schema: node,
        ...(topic !== undefined ? { topicSuffix: String(topic) } : {}),
      });
      if (t === 'record' || t === 'error') {
        if (!Array.isArray(node.fields)) throw new SchemaCatalogError(`${file}: record ${names.fullName} has no "fields" array`, file, names.fullName);
        for (const f of node.fields) walk(isObject(f) ? f.type : undefined, names.namespace, false);
      }
      return;
    }
    if (t === 'array') return walk(node.items, ns, false);
    if (t === 'map') return walk(node.values, ns, false);
    if (typeof t === 'object') return walk(t, ns, false);
  };
  walk(root, '', true);
}

/**
 * Every named type defined in the .avsc files of `dir`, in file-name order and, within a file, in definition
 * order. Throws when a file is not valid JSON or a name is defined twice.
 */
export function loadNamedTypes(dir: string = DEFAULT_SCHEMAS_DIR): ReadonlyMap<string, NamedTypeDefinition> {
  return load(dir).types;
}

function readDefinitions(dir: string): Map<string, NamedTypeDefinition> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.avsc')).sort();
  } catch (e) {
    throw new SchemaCatalogError(`cannot read the schema directory ${dir}: ${(e as Error).message}`);
  }
  const types = new Map<string, NamedTypeDefinition>();
  for (const f of files) {
    const file = join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SchemaCatalogError(`${file}: not valid JSON: ${(e as Error).message}`, file);
    }
    if (!isObject(json) || typeof json.type !== 'string' || !NAMED_KINDS.has(json.type)) {
      throw new SchemaCatalogError(`${file}: the file must hold one named type (a record, enum or fixed)`, file);
    }
    const defs: NamedTypeDefinition[] = [];
    collectDefinitions(json, file, defs);
    for (const d of defs) {
      const before = types.get(d.fullName);
      if (before) throw new SchemaCatalogError(`${d.fullName} is defined twice: in ${before.file} and in ${file}; define it once and refer to it by name`, file, d.fullName);
      types.set(d.fullName, d);
    }
  }
  return types;
}

/**
 * Inlines references to named types so the schema stands alone: each named type is written out in full at its
 * first use (in the depth-first field order Avro parsers read it) and referred to by full name after that.
 */
function inline(root: JsonObject, file: string, lookup: (fullName: string) => NamedTypeDefinition | undefined, dir: string): JsonObject {
  const defined = new Set<string>();

  const definition = (node: JsonObject, srcNs: string, outNs: string): JsonObject => {
    const { fullName, namespace } = definitionNames(node, srcNs);
    if (defined.has(fullName)) throw new SchemaCatalogError(`${file}: ${fullName} is defined twice in one schema`, file, fullName);
    defined.add(fullName);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'fields' && Array.isArray(v)) {
        out.fields = v.map((f: unknown) => (isObject(f) ? { ...f, type: type(f.type, namespace, namespace) } : f));
      } else if (k === 'namespace' && v === outNs && typeof node.name === 'string' && !node.name.includes('.')) {
        // Redundant where it lands (the enclosing namespace is the same): left out, as Avro's own serialiser does.
      } else {
        out[k] = v;
      }
      // The definition may come from a file with another namespace: say it explicitly where it lands.
      if (k === 'name' && typeof node.name === 'string' && !node.name.includes('.') && node.namespace === undefined && namespace !== outNs) out.namespace = namespace;
    }
    return out;
  };

  const reference = (name: string, srcNs: string, outNs: string): unknown => {
    if (PRIMITIVES.has(name)) return name;
    const fullName = qualify(name, srcNs);
    if (defined.has(fullName)) return fullName;
    const def = lookup(fullName);
    if (!def) {
      throw new SchemaCatalogError(`${file}: type "${name}"${name === fullName ? '' : ` (${fullName})`} is not defined in any .avsc file in ${dir}`, file, fullName);
    }
    return definition(def.schema, namespaceOf(def.fullName), outNs);
  };

  const type = (node: unknown, srcNs: string, outNs: string): unknown => {
    if (typeof node === 'string') return reference(node, srcNs, outNs);
    if (Array.isArray(node)) return node.map((n) => type(n, srcNs, outNs));
    if (!isObject(node)) return node;
    const t = node.type;
    if (typeof t === 'string' && NAMED_KINDS.has(t)) return definition(node, srcNs, outNs);
    if (t === 'array') return { ...node, items: type(node.items, srcNs, outNs) };
    if (t === 'map') return { ...node, values: type(node.values, srcNs, outNs) };
    if (typeof t === 'object' || (typeof t === 'string' && !PRIMITIVES.has(t))) return { ...node, type: type(t, srcNs, outNs) };
    return node;
  };

  return type(root, '', '') as JsonObject;
}

function buildType(schema: JsonObject, file: string): Type {
  try {
    return avro.Type.forSchema(schema as unknown as Schema, avroTypeOptions);
  } catch (e) {
    throw new SchemaCatalogError(`${file}: avsc rejects the schema: ${(e as Error).message}`, file);
  }
}

function load(dir: string): Loaded {
  const key = resolve(dir);
  const hit = cache.get(key);
  if (hit) return hit;
  const types = readDefinitions(key);
  const catalog = new Map<string, CanonicalSchema>();
  const byTopic = new Map<string, CanonicalSchema>();
  for (const def of types.values()) {
    if (def.topicSuffix === undefined) continue;
    const { file, fullName } = def;
    if (def.kind !== 'record') throw new SchemaCatalogError(`${file}: "${TOPIC_ATTRIBUTE}" marks an event record, but ${fullName} is a ${def.kind}`, file, fullName);
    if (!TOPIC_SUFFIX_RE.test(def.topicSuffix)) throw new SchemaCatalogError(`${file}: "${TOPIC_ATTRIBUTE}" of ${fullName} must be lowercase letters, digits and dashes, got ${JSON.stringify(def.topicSuffix)}`, file, fullName);
    const fields = def.schema.fields as unknown[];
    const first = fields[0];
    if (!isObject(first) || first.name !== 'meta' || typeof first.type !== 'string' || qualify(first.type, def.namespace) !== 'esb.canonical.Meta') {
      throw new SchemaCatalogError(`${file}: event record ${fullName} must start with the field "meta" of type "esb.canonical.Meta"`, file, fullName);
    }
    const schema = inline(def.schema, file, (n) => types.get(n), key);
    const topic = `${EVENT_TOPIC_PREFIX}${def.topicSuffix}`;
    const other = byTopic.get(topic);
    if (other) throw new SchemaCatalogError(`${file}: ${fullName} and ${other.fullName} (${other.file}) both claim the topic ${topic}`, file, fullName);
    const entry: CanonicalSchema = { name: def.name, fullName, topic, topicSuffix: def.topicSuffix, file, schema, text: JSON.stringify(schema), type: buildType(schema, file) };
    catalog.set(fullName, entry);
    byTopic.set(topic, entry);
  }
  const loaded: Loaded = { types, catalog, byTopic };
  cache.set(key, loaded);
  return loaded;
}

/**
 * The canonical event records of `dir` (default: `schemas/` at the repository root), by full name: the top-level
 * records with an `esb.topic` attribute. Loaded once per directory and cached.
 */
export function loadSchemas(dir: string = DEFAULT_SCHEMAS_DIR): ReadonlyMap<string, CanonicalSchema> {
  return load(dir).catalog;
}

/** The event record carried on `topic` (`esb.events.order`), or undefined. */
export function schemaByTopic(topic: string, dir: string = DEFAULT_SCHEMAS_DIR): CanonicalSchema | undefined {
  return load(dir).byTopic.get(topic);
}

/** The event record with this full name (`esb.canonical.Order`), or undefined. */
export function schemaByName(fullName: string, dir: string = DEFAULT_SCHEMAS_DIR): CanonicalSchema | undefined {
  return load(dir).catalog.get(fullName);
}

/** The event topic of a record (`esb.canonical.Order` → `esb.events.order`); throws for a name that is not an event record. */
export function eventTopic(fullName: string, dir: string = DEFAULT_SCHEMAS_DIR): string {
  const s = load(dir).catalog.get(fullName);
  if (!s) {
    const known = [...load(dir).catalog.keys()].join(', ');
    throw new SchemaCatalogError(`${fullName} is not a canonical event record in ${relative(process.cwd(), resolve(dir)) || '.'} (known: ${known})`, undefined, fullName);
  }
  return s.topic;
}

/**
 * Makes any schema JSON self-contained against the named types of `dir`: types the schema defines itself win,
 * the rest are inlined from `dir`. Used for `schemas/history/` files, which may refer to shared types by name.
 */
export function resolveSchema(schema: JsonObject, dir: string = DEFAULT_SCHEMAS_DIR, file = '(schema)'): JsonObject {
  const own: NamedTypeDefinition[] = [];
  collectDefinitions(schema, file, own);
  const ownNames = new Set(own.map((d) => d.fullName));
  const shared = load(dir).types;
  return inline(schema, file, (n) => (ownNames.has(n) ? undefined : shared.get(n)), resolve(dir));
}
