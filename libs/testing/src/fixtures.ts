// A small test record type with the canonical `meta` shape, a decimal and a timestamp, so bus mechanics can be
// tested through the real registry without depending on one business schema.
import { randomUUID } from 'node:crypto';
import type { SchemaLookup } from '@esb/bus';

export const PING = 'esb.test.Ping';

export const pingSchema = {
  type: 'record',
  name: 'Ping',
  namespace: 'esb.test',
  fields: [
    {
      name: 'meta',
      type: {
        type: 'record',
        name: 'PingMeta',
        fields: [
          { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
          { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
          { name: 'correlationId', type: 'string' },
        ],
      },
    },
    { name: 'n', type: 'int' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

export interface Ping {
  meta: { eventId: string; occurredAt: string; correlationId: string };
  n: number;
  amount: string;
  note: string | null;
}

export const testLookup: SchemaLookup = (name) => (name === PING ? pingSchema : undefined);

export function ping(n: number, over: Partial<Ping> = {}): Ping {
  return {
    meta: { eventId: randomUUID(), occurredAt: new Date(Date.UTC(2026, 10, 21, 10, 0, 0, n)).toISOString(), correlationId: `corr-${n}` },
    n,
    amount: `${n}.${String(n % 100).padStart(2, '0')}`,
    note: null,
    ...over,
  };
}
