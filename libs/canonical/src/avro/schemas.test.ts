import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { avroTypeOptions } from './logical-types.ts';
import { DEFAULT_SCHEMAS_DIR, eventTopic, loadNamedTypes, loadSchemas, resolveSchema, schemaByName, schemaByTopic, SchemaCatalogError, type JsonObject } from './schemas.ts';
import { canonicalSamples } from './samples.ts';

type Node = unknown;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/** Every .avsc file under schemas/, history included, parsed. */
function rawFiles(dir = DEFAULT_SCHEMAS_DIR): { file: string; json: JsonObject }[] {
  const out: { file: string; json: JsonObject }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.avsc')) out.push({ file: join(d, e.name), json: JSON.parse(readFileSync(join(d, e.name), 'utf8')) as JsonObject });
    }
  };
  walk(dir);
  return out;
}

/** Visits every type node with the field it belongs to (its name and the record holding it). */
function visit(node: Node, fn: (n: Node, field: string | undefined) => void, field?: string): void {
  fn(node, field);
  if (Array.isArray(node)) return node.forEach((n) => visit(n, fn, field));
  if (!isObject(node)) return;
  if (node.type === 'record' || node.type === 'error') for (const f of node.fields as JsonObject[]) visit(f.type, fn, String(f.name));
  else if (node.type === 'array') visit(node.items, fn, field);
  else if (node.type === 'map') visit(node.values, fn, field);
  else if (typeof node.type === 'object') visit(node.type, fn, field);
}

const EXPECTED_TOPICS: Record<string, string> = {
  'esb.canonical.Order': 'order',
  'esb.canonical.Counterparty': 'counterparty',
  'esb.canonical.Product': 'product',
  'esb.canonical.Price': 'price',
  'esb.canonical.StockLevel': 'stock',
  'esb.canonical.OrderReversal': 'order-reversal',
  'esb.canonical.Invoice': 'invoice',
  'esb.canonical.Payment': 'payment',
  'esb.canonical.Shipment': 'shipment',
  'esb.canonical.EdoStatus': 'edo-status',
  'esb.canonical.Debt': 'debt',
  'esb.canonical.Document': 'document',
  'esb.canonical.Task': 'task',
  'esb.canonical.Approval': 'approval',
  'esb.canonical.Link': 'link',
};

const catalog = loadSchemas();

describe('the canonical catalog', () => {
  it('holds exactly the agreed event records, each on esb.events.<esb.topic>', () => {
    expect(Object.fromEntries([...catalog.values()].map((s) => [s.fullName, s.topicSuffix]))).toEqual(EXPECTED_TOPICS);
    for (const s of catalog.values()) {
      expect(s.topic).toBe(`esb.events.${s.topicSuffix}`);
      expect(s.name).toBe(s.fullName.replace('esb.canonical.', ''));
      expect(s.schema['esb.topic']).toBe(s.topicSuffix);
    }
  });

  it('finds records by topic and by name, and names the topic of a record', () => {
    expect(schemaByTopic('esb.events.order')?.fullName).toBe('esb.canonical.Order');
    expect(schemaByTopic('esb.events.stock')?.fullName).toBe('esb.canonical.StockLevel');
    expect(schemaByTopic('esb.events.nope')).toBeUndefined();
    expect(schemaByName('esb.canonical.EdoStatus')?.topic).toBe('esb.events.edo-status');
    expect(schemaByName('esb.canonical.Meta')).toBeUndefined(); // shared types are not events
    expect(eventTopic('esb.canonical.OrderReversal')).toBe('esb.events.order-reversal');
    expect(() => eventTopic('esb.canonical.Meta')).toThrow(/esb\.canonical\.Meta is not a canonical event record/);
  });

  it('is loaded once per directory', () => {
    expect(loadSchemas()).toBe(catalog);
    expect(loadSchemas(`${DEFAULT_SCHEMAS_DIR}/./`)).toBe(catalog);
  });

  it('gives every event record a self-contained schema that avsc reads with no registry and no other files', () => {
    for (const s of catalog.values()) {
      expect(s.text).toBe(JSON.stringify(s.schema));
      const parsed = JSON.parse(s.text) as JsonObject;
      const type = avro.Type.forSchema(parsed as unknown as Schema, avroTypeOptions);
      expect(type.name).toBe(s.fullName);
      // Each named type is defined before it is referred to, and only once.
      const defined = new Set<string>();
      const walk = (n: Node, ns: string): void => {
        if (typeof n === 'string') {
          const full = PRIMITIVES.has(n) || n.includes('.') ? n : `${ns}.${n}`;
          if (!PRIMITIVES.has(n)) expect(defined, `${s.fullName}: ${full} referenced before its definition`).toContain(full);
        } else if (Array.isArray(n)) {
          n.forEach((b) => walk(b, ns));
        } else if (isObject(n) && typeof n.type === 'string' && NAMED.has(n.type)) {
          const name = String(n.name);
          const own = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : typeof n.namespace === 'string' ? n.namespace : ns;
          const full = name.includes('.') ? name : `${own}.${name}`;
          expect(defined.has(full), `${s.fullName}: ${full} defined twice`).toBe(false);
          defined.add(full);
          for (const f of (n.fields as JsonObject[] | undefined) ?? []) walk(f.type, own);
        } else if (isObject(n)) {
          walk(n.type === 'array' ? n.items : n.type === 'map' ? n.values : typeof n.type === 'object' ? n.type : n.type, ns);
        }
      };
      walk(parsed, '');
      expect(defined.has('esb.canonical.Meta')).toBe(true);
      expect(defined.has('esb.canonical.Source')).toBe(true);
    }
  });

  it('keeps docs, defaults, logical types and custom attributes in the self-contained schema', () => {
    const order = schemaByName('esb.canonical.Order')!.schema;
    const fields = order.fields as JsonObject[];
    const meta = fields[0]!.type as JsonObject;
    expect(meta.name).toBe('Meta');
    expect(meta.doc).toMatch(/Envelope/);
    const comment = fields.find((f) => f.name === 'comment')!;
    expect(comment).toMatchObject({ type: ['null', 'string'], default: null });
    expect(fields.find((f) => f.name === 'total')!.type).toEqual({ type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 });
    expect(order['esb.topic']).toBe('order');
    expect(order.doc).toMatch(/customer order/);
    // Unit is inlined once (first row field that uses it) and referred to by full name afterwards.
    expect(JSON.stringify(order).match(/"name":"Unit"/g)).toHaveLength(1);
  });

  it('starts every event record with `meta` of type esb.canonical.Meta, in the files and in the registered form', () => {
    for (const { file, json } of rawFiles()) {
      if (json['esb.topic'] === undefined) continue;
      const first = (json.fields as JsonObject[])[0];
      expect(first, file).toMatchObject({ name: 'meta', type: 'esb.canonical.Meta' });
    }
    for (const s of catalog.values()) {
      const first = (s.schema.fields as JsonObject[])[0]!;
      expect(first.name).toBe('meta');
      expect(first.type).toMatchObject({ type: 'record', name: 'Meta' });
      expect(s.schema.namespace).toBe('esb.canonical'); // and Meta inherits it
    }
  });

  it('has no float or double anywhere in any schema file', () => {
    const floats: string[] = [];
    for (const { file, json } of rawFiles()) {
      visit(json, (n, field) => {
        if (n === 'float' || n === 'double' || (isObject(n) && (n.type === 'float' || n.type === 'double'))) floats.push(`${file}: ${field}`);
      });
    }
    expect(floats).toEqual([]);
  });

  it('makes money decimal(18,2) and quantities decimal(18,3), always on bytes', () => {
    const seen: string[] = [];
    for (const { file, json } of rawFiles()) {
      visit(json, (n, field) => {
        if (!isObject(n) || n.logicalType !== 'decimal') return;
        const isQuantity = /quantity|reserved/i.test(field ?? '');
        expect({ file, field, type: n.type, precision: n.precision, scale: n.scale }).toEqual({ file, field, type: 'bytes', precision: 18, scale: isQuantity ? 3 : 2 });
        seen.push(`${field}:${String(n.scale)}`);
      });
    }
    expect(seen).toEqual(expect.arrayContaining(['total:2', 'amount:2', 'price:2', 'quantity:3', 'reserved:3', 'balance:2', 'overdueAmount:2']));
  });

  it('uses only ["null", X] unions with null first and default null', () => {
    for (const { file, json } of rawFiles()) {
      visit(json, (n) => {
        if (!isObject(n) || !Array.isArray(n.fields)) return;
        for (const f of n.fields as JsonObject[]) {
          if (!Array.isArray(f.type)) continue;
          expect(f.type, `${file}: ${String(f.name)}`).toHaveLength(2);
          expect(f.type[0], `${file}: ${String(f.name)}`).toBe('null');
          expect(f.default, `${file}: ${String(f.name)} needs "default": null`).toBe(null);
        }
      });
    }
  });

  it('makes every canonical id field a UUID', () => {
    const NOT_CANONICAL = new Set(['externalId', 'systemId', 'categoryId', 'correlationId']);
    let ids = 0;
    for (const { file, json } of rawFiles()) {
      visit(json, (n) => {
        if (!isObject(n) || !Array.isArray(n.fields)) return;
        for (const f of n.fields as JsonObject[]) {
          const name = String(f.name);
          if (!name.endsWith('Id') || NOT_CANONICAL.has(name)) continue;
          const t = Array.isArray(f.type) ? f.type[1] : f.type;
          expect(t, `${file}: ${name}`).toEqual({ type: 'string', logicalType: 'uuid' });
          ids++;
        }
      });
    }
    expect(ids).toBeGreaterThan(30);
  });

  it('documents every named type', () => {
    for (const t of loadNamedTypes().values()) expect(typeof t.schema.doc, `${t.fullName} (${t.file}) has no doc`).toBe('string');
  });

  it('keeps OKEI codes as strings with leading zeros and knows the 2025–2026 VAT rates', () => {
    const unit = loadNamedTypes().get('esb.canonical.Unit')!.schema;
    expect((unit.fields as JsonObject[]).find((f) => f.name === 'okei')!.type).toBe('string');
    const vat = loadNamedTypes().get('esb.canonical.VatRate')!.schema;
    expect(vat.symbols).toEqual(expect.arrayContaining(['VAT_NONE', 'VAT_0', 'VAT_5', 'VAT_7', 'VAT_10', 'VAT_18', 'VAT_20', 'VAT_22']));
    for (const [symbol, onec] of [['VAT_NONE', 'БезНДС'], ['VAT_5', 'НДС5'], ['VAT_7', 'НДС7'], ['VAT_22', 'НДС22'], ['VAT_20_120', 'НДС20_120']]) {
      expect(vat.doc).toContain(`${symbol} = ${onec}`);
    }
  });
});

describe('sample records', () => {
  it('exist for every event record', () => {
    expect(Object.keys(canonicalSamples).sort()).toEqual([...catalog.keys()].sort());
  });

  it.each([...catalog.keys()])('%s round-trips toBuffer → fromBuffer to a deep-equal value', (name) => {
    const s = schemaByName(name)!;
    const sample = canonicalSamples[name as keyof typeof canonicalSamples];
    const paths: string[] = [];
    expect(s.type.isValid(sample, { errorHook: (p) => paths.push(p.join('.')) }), paths.join(', ')).toBe(true);
    const back = s.type.fromBuffer(s.type.toBuffer(sample)) as unknown;
    expect(back).toEqual(sample);
    expect(JSON.parse(JSON.stringify(back))).toEqual(sample); // JSON-safe: no Buffers, Dates or BigInts
    // …and through a type built from the registered text alone.
    const fromText = avro.Type.forSchema(JSON.parse(s.text) as Schema, avroTypeOptions);
    expect(fromText.fromBuffer(s.type.toBuffer(sample))).toEqual(sample);
  });

  it('the Order sample keeps exact money, quantities and OKEI codes', () => {
    const s = schemaByName('esb.canonical.Order')!;
    const back = s.type.fromBuffer(s.type.toBuffer(canonicalSamples['esb.canonical.Order'])) as (typeof canonicalSamples)['esb.canonical.Order'];
    expect(back.total).toBe('15900.01');
    expect(back.lines.map((l) => [l.quantity, l.unit.okei, l.amount])).toEqual([
      ['3.000', '796', '14700.00'],
      ['12.500', '006', '1200.00'],
      ['1.000', '796', '0.01'],
    ]);
  });

  it('a record that breaks the schema is refused with the field named', () => {
    const s = schemaByName('esb.canonical.Order')!;
    const bad = structuredClone(canonicalSamples['esb.canonical.Order']);
    bad.lines[1]!.quantity = '12.5001';
    bad.lines[0]!.vatRate = 'НДС22' as never;
    const paths: string[] = [];
    expect(s.type.isValid(bad, { errorHook: (p) => paths.push(p.join('.')) })).toBe(false);
    expect(paths.sort()).toEqual(['lines.0.vatRate', 'lines.1.quantity']);
    expect(() => s.type.toBuffer(bad)).toThrow();
  });
});

describe('loading problems', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dirWith = (files: Record<string, unknown>): string => {
    const d = mkdtempSync(join(tmpdir(), 'esb-schemas-'));
    dirs.push(d);
    for (const [name, json] of Object.entries(files)) writeFileSync(join(d, name), typeof json === 'string' ? json : JSON.stringify(json));
    return d;
  };
  const meta = { type: 'record', name: 'Meta', namespace: 'esb.canonical', doc: 'm', fields: [{ name: 'eventId', type: 'string' }] };
  const event = (name: string, topic: string, fields: unknown[]) => ({ type: 'record', name, namespace: 'esb.canonical', 'esb.topic': topic, fields: [{ name: 'meta', type: 'esb.canonical.Meta' }, ...fields] });

  it('names the file and the missing type of an unresolvable reference', () => {
    const d = dirWith({ 'Meta.avsc': meta, 'Thing.avsc': event('Thing', 'thing', [{ name: 'unit', type: 'esb.canonical.Unit' }]) });
    expect(() => loadSchemas(d)).toThrow(SchemaCatalogError);
    expect(() => loadSchemas(d)).toThrow(/Thing\.avsc: type "esb\.canonical\.Unit" is not defined in any \.avsc file/);
  });

  it('resolves relative names against the namespace, across files, in any file order', () => {
    const d = dirWith({
      'A.avsc': event('A', 'a', [{ name: 'b', type: 'B' }, { name: 'b2', type: ['null', 'B'], default: null }]),
      'B.avsc': { type: 'record', name: 'B', namespace: 'esb.canonical', doc: 'b', fields: [{ name: 'c', type: 'esb.other.C' }] },
      'C.avsc': { type: 'enum', name: 'C', namespace: 'esb.other', doc: 'c', symbols: ['X'] },
      'Meta.avsc': meta,
    });
    const a = loadSchemas(d).get('esb.canonical.A')!;
    expect(a.type.fromBuffer(a.type.toBuffer({ meta: { eventId: 'e' }, b: { c: 'X' }, b2: { c: 'X' } }))).toEqual({ meta: { eventId: 'e' }, b: { c: 'X' }, b2: { c: 'X' } });
    // C keeps its own namespace where it lands inside esb.canonical.B.
    expect(a.text).toContain('"name":"C","namespace":"esb.other"');
    expect(a.text).toContain('["null","esb.canonical.B"]');
  });

  it('refuses a type defined in two files', () => {
    const d = dirWith({ 'Meta.avsc': meta, 'Meta2.avsc': meta });
    expect(() => loadSchemas(d)).toThrow(/esb\.canonical\.Meta is defined twice: in .*Meta\.avsc and in .*Meta2\.avsc/);
  });

  it('refuses an event record that does not start with meta', () => {
    const d = dirWith({ 'Meta.avsc': meta, 'X.avsc': { ...event('X', 'x', []), fields: [{ name: 'id', type: 'string' }, { name: 'meta', type: 'esb.canonical.Meta' }] } });
    expect(() => loadSchemas(d)).toThrow(/X\.avsc: event record esb\.canonical\.X must start with the field "meta"/);
  });

  it('refuses two records on one topic, and a bad topic name', () => {
    expect(() => loadSchemas(dirWith({ 'Meta.avsc': meta, 'X.avsc': event('X', 'x', []), 'Y.avsc': event('Y', 'x', []) }))).toThrow(/both claim the topic esb\.events\.x/);
    expect(() => loadSchemas(dirWith({ 'Meta.avsc': meta, 'X.avsc': event('X', 'Bad Topic', []) }))).toThrow(/lowercase/);
  });

  it('names a file that is not valid JSON', () => {
    expect(() => loadSchemas(dirWith({ 'Broken.avsc': '{"type": "record",' }))).toThrow(/Broken\.avsc: not valid JSON/);
  });

  it('resolves a history file that refers to shared types by name', () => {
    const old = { type: 'record', name: 'Order', namespace: 'esb.canonical', fields: [{ name: 'meta', type: 'esb.canonical.Meta' }, { name: 'unit', type: 'Unit' }] };
    const resolved = resolveSchema(old);
    const t = avro.Type.forSchema(resolved as unknown as Schema, avroTypeOptions);
    expect(t.name).toBe('esb.canonical.Order');
    expect(JSON.stringify(resolved)).toContain('"name":"Meta"');
    expect(JSON.stringify(resolved)).toContain('"name":"Unit"');
    expect(() => resolveSchema({ ...old, fields: [{ name: 'x', type: 'esb.canonical.Nope' }] }, DEFAULT_SCHEMAS_DIR, 'v1.avsc')).toThrow(/v1\.avsc: type "esb\.canonical\.Nope"/);
  });

  it('a history file’s own definitions win over the current shared ones', () => {
    const oldMeta = { type: 'record', name: 'Meta', fields: [{ name: 'eventId', type: 'string' }] };
    const resolved = resolveSchema({ type: 'record', name: 'Order', namespace: 'esb.canonical', fields: [{ name: 'meta', type: oldMeta }] });
    expect(((resolved.fields as JsonObject[])[0]!.type as JsonObject).fields).toEqual(oldMeta.fields);
  });

  it('reads the history folder without mistaking it for current schemas', () => {
    const d = dirWith({ 'Meta.avsc': meta, 'X.avsc': event('X', 'x', []) });
    mkdirSync(join(d, 'history', 'X'), { recursive: true });
    writeFileSync(join(d, 'history', 'X', 'v1.avsc'), JSON.stringify(event('X', 'x', [])));
    expect([...loadSchemas(d).keys()]).toEqual(['esb.canonical.X']);
  });
});
