// The canonical schemas against the real schema registry (Apicurio's Confluent-compatible API): they register,
// round-trip through the registry, and the registry itself enforces BACKWARD compatibility over their history.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { endpoints, uniqueName } from '@esb/testing';
import { avroTypeOptions } from './logical-types.ts';
import { DEFAULT_SCHEMAS_DIR, loadSchemas, resolveSchema, schemaByName, type CanonicalSchema, type JsonObject } from './schemas.ts';
import { canonicalSamples } from './samples.ts';

const catalog = loadSchemas();
const HISTORY_DIR = join(DEFAULT_SCHEMAS_DIR, 'history');

interface Reply {
  status: number;
  body: { id?: number; schema?: string; message?: string; error_code?: number; is_compatible?: boolean; compatibilityLevel?: string } & Record<string, unknown>;
}

/** A plain call to the ccompat REST API, so statuses and bodies are seen as the registry sends them. */
async function rest(method: 'GET' | 'POST', path: string, schema?: object | string): Promise<Reply> {
  const res = await fetch(`${endpoints().schemaRegistryUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/vnd.schemaregistry.v1+json, application/json' },
    body: schema === undefined ? undefined : JSON.stringify({ schema: typeof schema === 'string' ? schema : JSON.stringify(schema) }),
  });
  const text = await res.text();
  let body: Reply['body'];
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    body = { message: text };
  }
  return { status: res.status, body };
}

const register = (subject: string, schema: object | string) => rest('POST', `/subjects/${encodeURIComponent(subject)}/versions`, schema);
const subjectOf = (s: CanonicalSchema) => `${uniqueName('canonical')}.${s.topic}-value`;
const client = () => new SchemaRegistry({ host: endpoints().schemaRegistryUrl, retry: { retries: 2 } }, { [SchemaType.AVRO]: avroTypeOptions });
const sampleOf = (s: CanonicalSchema) => canonicalSamples[s.fullName as keyof typeof canonicalSamples];

describe('canonical schemas in the registry', () => {
  it.each([...catalog.keys()])('%s registers under its own subject and what the registry returns decodes what we encode', async (name) => {
    const s = schemaByName(name)!;
    const subject = subjectOf(s);
    const writer = client();
    const { id } = await writer.register({ type: SchemaType.AVRO, schema: s.text }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    expect(id).toBeGreaterThan(0);
    expect((await rest('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).body).toEqual([1]);

    // The schema as the registry returns it by id: a self-contained Avro schema with our docs and attributes.
    const byId = await rest('GET', `/schemas/ids/${id}`);
    expect(byId.status).toBe(200);
    const stored = JSON.parse(byId.body.schema!) as JsonObject;
    expect(stored.name).toBe(s.name);
    expect(stored['esb.topic']).toBe(s.topicSuffix);
    expect(stored.doc).toBe(s.schema.doc);
    const storedType = avro.Type.forSchema(stored as unknown as Schema, avroTypeOptions);
    const sample = sampleOf(s);
    expect(storedType.fromBuffer(s.type.toBuffer(sample))).toEqual(sample);

    // Confluent wire format through the client, decoded by a second client that only knows the id.
    const wire = await writer.encode(id, sample);
    expect(wire[0]).toBe(0);
    expect(wire.readInt32BE(1)).toBe(id);
    expect(await client().decode(wire)).toEqual(sample);
  });

  it('the registry itself refuses a BACKWARD-incompatible change of Order and accepts a compatible one', async () => {
    const order = schemaByName('esb.canonical.Order')!;
    const subject = subjectOf(order);
    const first = await register(subject, order.schema);
    expect(first.status).toBe(200);
    const firstId = first.body.id!;
    expect((await rest('GET', `/config/${encodeURIComponent(subject)}`)).body.compatibilityLevel).toBe('BACKWARD');

    const fields = order.schema.fields as JsonObject[];
    const newRequiredField = { ...order.schema, fields: [...fields, { name: 'mustExist', type: 'string' }] };
    const changedType = { ...order.schema, fields: fields.map((f) => (f.name === 'number' ? { ...f, type: 'int' } : f)) };
    const compatible = { ...order.schema, fields: [...fields, { name: 'deliveryNote', type: ['null', 'string'], default: null, doc: 'added later' }] };

    for (const [what, schema] of [
      ['a new field without a default', newRequiredField],
      ['number: string → int', changedType],
    ] as const) {
      const check = await rest('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, schema);
      expect(check, what).toMatchObject({ status: 200, body: { is_compatible: false } });
      const rejected = await register(subject, schema);
      expect(rejected.status, `${what}: ${JSON.stringify(rejected.body)}`).toBe(409);
      expect(typeof rejected.body.message).toBe('string');
      // Through the client, as services register: the same refusal surfaces as an error with the HTTP status.
      await expect(client().register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })).rejects.toMatchObject({ status: 409 });
    }
    // Nothing rejected was stored.
    expect((await rest('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).body).toEqual([1]);
    expect((await rest('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)).body.id).toBe(firstId);

    expect(await rest('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, compatible)).toMatchObject({ status: 200, body: { is_compatible: true } });
    const accepted = await register(subject, compatible);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.id).not.toBe(firstId);
    expect((await rest('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).body).toEqual([1, 2]);

    // A consumer on the new version still reads what the old one wrote (that is what BACKWARD promises).
    const newType = avro.Type.forSchema(compatible as unknown as Schema, avroTypeOptions);
    const sample = sampleOf(order);
    expect(newType.fromBuffer(order.type.toBuffer(sample), newType.createResolver(order.type))).toEqual({ ...sample, deliveryNote: null });
  });
});

describe('schema evolution history (schemas/history/<Record>/v<N>.avsc)', () => {
  const recorded = existsSync(HISTORY_DIR) ? readdirSync(HISTORY_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];

  it('names only existing event records, with versions v1…vN', () => {
    const names = new Set([...catalog.values()].map((s) => s.name));
    for (const dir of recorded) {
      expect(names, `schemas/history/${dir} does not match an event record in schemas/`).toContain(dir);
      const files = readdirSync(join(HISTORY_DIR, dir)).filter((f) => f.endsWith('.avsc'));
      const numbers = files.map((f) => Number(/^v(\d+)\.avsc$/.exec(f)?.[1] ?? NaN)).sort((a, b) => a - b);
      expect(numbers, `schemas/history/${dir}: files must be named v1.avsc, v2.avsc, … without gaps`).toEqual(files.map((_, i) => i + 1));
    }
  });

  it.each([...catalog.keys()])('%s: the registry accepts the current schema after every released version (BACKWARD)', async (name) => {
    const s = schemaByName(name)!;
    const subject = subjectOf(s);
    const dir = join(HISTORY_DIR, s.name);
    const versions = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => /^v\d+\.avsc$/.test(f))
          .sort((a, b) => Number(a.slice(1, -5)) - Number(b.slice(1, -5)))
      : [];
    for (const v of versions) {
      const file = join(dir, v);
      const raw = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
      const reply = await register(subject, resolveSchema(raw, DEFAULT_SCHEMAS_DIR, file));
      expect(reply.status, `${file} was released, yet the registry refuses it after the versions before it: ${JSON.stringify(reply.body)}`).toBe(200);
    }
    const current = await register(subject, s.text);
    expect(current.status, `schemas/${s.name}.avsc is not BACKWARD compatible with ${versions.length ? versions.join(', ') : 'itself'}: ${JSON.stringify(current.body)}`).toBe(200);
    // Registering the same schema again is idempotent: the same id, no new version.
    const again = await register(subject, s.text);
    expect(again).toMatchObject({ status: 200, body: { id: current.body.id } });
    expect((await rest('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).body).toHaveLength(versions.length + 1);
  });
});
