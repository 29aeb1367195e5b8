// Avro values in the Confluent wire format (magic 0, 4-byte schema id, Avro body) through a schema registry.
// Subjects follow architecture §2: `<topic>-value` on single-type event topics, `<topic>-<record>` elsewhere.
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { avroTypeOptions, schemaByName } from '@esb/canonical';
import { EsbError } from './errors.ts';

export interface Decoded<T = Record<string, unknown>> {
  schemaId: number;
  recordType: string;
  value: T;
}

/** A schema source: by default the canonical catalog in `schemas/`; tests and tools may add their own. */
export type SchemaLookup = (fullName: string) => object | undefined;

const canonicalLookup: SchemaLookup = (fullName) => schemaByName(fullName)?.schema;

export function subjectFor(topic: string, recordType: string): string {
  return topic.startsWith('esb.events.') ? `${topic}-value` : `${topic}-${recordType}`;
}

export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, Promise<number>>();
  private readonly names = new Map<number, Promise<string>>();

  constructor(
    readonly registryUrl: string,
    private readonly lookup: SchemaLookup = canonicalLookup,
  ) {
    this.registry = new SchemaRegistry(
      { host: registryUrl, retry: { retries: 5, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 5 } },
      { [SchemaType.AVRO]: avroTypeOptions },
    );
  }

  /** Registers (once per process) the record's schema under the topic's subject and returns its id. */
  schemaId(topic: string, recordType: string): Promise<number> {
    const subject = subjectFor(topic, recordType);
    let id = this.ids.get(subject);
    if (!id) {
      const schema = this.lookup(recordType);
      if (!schema) return Promise.reject(new EsbError('ESB_ENCODE', `no schema named ${recordType} is known to this service`));
      id = this.registry
        .register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD })
        .then((r) => r.id);
      id.catch(() => this.ids.delete(subject));
      this.ids.set(subject, id);
    }
    return id;
  }

  async encode(topic: string, recordType: string, value: unknown): Promise<Buffer> {
    const id = await this.schemaId(topic, recordType);
    try {
      return await this.registry.encode(id, value);
    } catch (e) {
      const eventId = (value as { meta?: { eventId?: string } } | null)?.meta?.eventId;
      throw new EsbError('ESB_ENCODE', `${recordType}${eventId ? ` ${eventId}` : ''} does not match its schema: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The record's full name for a schema id, from the registry (cached). */
  recordTypeOf(schemaId: number): Promise<string> {
    let n = this.names.get(schemaId);
    if (!n) {
      n = this.registry.getSchema(schemaId).then((s) => {
        const name = (s as { name?: string }).name;
        if (!name) throw new EsbError('ESB_DECODE', `schema ${schemaId} is not a named Avro record`);
        return name;
      });
      n.catch(() => this.names.delete(schemaId));
      this.names.set(schemaId, n);
    }
    return n;
  }

  async decode<T = Record<string, unknown>>(buf: Buffer | null): Promise<Decoded<T>> {
    if (!buf || buf.length < 5 || buf.readUInt8(0) !== 0) {
      throw new EsbError('ESB_DECODE', `message is not in the Confluent wire format (${buf ? `${buf.length} bytes, first byte ${buf[0] ?? 'none'}` : 'empty value'})`);
    }
    const schemaId = buf.readInt32BE(1);
    try {
      const [recordType, value] = await Promise.all([this.recordTypeOf(schemaId), this.registry.decode(buf) as Promise<T>]);
      return { schemaId, recordType, value };
    } catch (e) {
      if (e instanceof EsbError) throw e;
      const c = e as { status?: number; name?: string; message?: string };
      // The registry being down is retriable; a body that does not decode is not.
      const transient = c.name === 'ResponseError' && (c.status === undefined || c.status >= 500);
      throw new EsbError('ESB_DECODE', `cannot decode message with schema id ${schemaId}: ${c.message}`, { cause: e, retriable: transient });
    }
  }
}
