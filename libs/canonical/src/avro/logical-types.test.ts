import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { avroLogicalTypes, avroTypeOptions, fromTwosComplement, toTwosComplement } from './logical-types.ts';

const typeOf = (schema: unknown) => avro.Type.forSchema(schema as Schema, avroTypeOptions);
const money = typeOf({ type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 });
const quantity = typeOf({ type: 'bytes', logicalType: 'decimal', precision: 18, scale: 3 });
const timestamp = typeOf({ type: 'long', logicalType: 'timestamp-millis' });
const date = typeOf({ type: 'int', logicalType: 'date' });
const uuid = typeOf({ type: 'string', logicalType: 'uuid' });
const plainBytes = avro.Type.forSchema('bytes');
const plainLong = avro.Type.forSchema('long');
const plainInt = avro.Type.forSchema('int');

/** The two's-complement bytes inside an Avro `bytes` value (after its zig-zag length). */
const bytesOf = (buf: Buffer): string => (plainBytes.fromBuffer(buf) as Buffer).toString('hex');

describe('decimal ⇄ string', () => {
  it.each([
    ['0.01', '01'],
    ['-0.01', 'ff'],
    ['-1.00', '9c'],
    ['1.27', '7f'],
    ['1.28', '0080'],
    ['-1.28', '80'],
    ['-1.29', 'ff7f'],
    ['0.00', '00'],
    ['1234.50', '01e23a'],
    ['99999999999999.99', '2386f26fc0ffff'],
    ['-99999999999999.99', 'dc790d903f0001'],
  ])('%s is the unscaled integer in minimal big-endian two’s complement (%s) and reads back exactly', (value, hex) => {
    const buf = money.toBuffer(value);
    expect(bytesOf(buf)).toBe(hex);
    expect(money.fromBuffer(buf)).toBe(value);
  });

  it('decodes bytes written by another writer (e.g. Java BigDecimal) with exactly `scale` fraction digits', () => {
    expect(money.fromBuffer(plainBytes.toBuffer(Buffer.from('0080', 'hex')))).toBe('1.28');
    expect(money.fromBuffer(plainBytes.toBuffer(Buffer.from('ffff9c', 'hex')))).toBe('-1.00'); // not minimal, still valid
    expect(money.fromBuffer(plainBytes.toBuffer(Buffer.alloc(0)))).toBe('0.00');
    expect(quantity.fromBuffer(plainBytes.toBuffer(Buffer.from('05dc', 'hex')))).toBe('1.500');
  });

  it.each([
    ['5', '5.00'],
    ['5.5', '5.50'],
    ['-0', '0.00'],
    ['-0.00', '0.00'],
    ['007.50', '7.50'],
  ])('accepts %s with fewer fraction digits than the scale and reads back %s', (input, out) => {
    expect(money.fromBuffer(money.toBuffer(input))).toBe(out);
  });

  it('keeps quantities at scale 3', () => {
    expect(quantity.fromBuffer(quantity.toBuffer('12.5'))).toBe('12.500');
    expect(quantity.fromBuffer(quantity.toBuffer('0.001'))).toBe('0.001');
    expect(() => quantity.toBuffer('0.0001')).toThrow(/"0\.0001".*scale 3.*precision 18/);
  });

  it('rejects more fraction digits than the scale, naming value, scale and precision (never rounds)', () => {
    expect(() => money.toBuffer('1.001')).toThrow(/"1\.001" has 3 fraction digits, more than scale 2 \(precision 18\)/);
    expect(() => money.toBuffer('1.000')).toThrow(/scale 2/);
    expect(money.isValid('1.001')).toBe(false);
  });

  it('accepts the precision boundary and rejects one digit more, naming value, scale and precision', () => {
    expect(money.fromBuffer(money.toBuffer('9999999999999999.99'))).toBe('9999999999999999.99');
    expect(money.fromBuffer(money.toBuffer('-9999999999999999.99'))).toBe('-9999999999999999.99');
    expect(() => money.toBuffer('10000000000000000.00')).toThrow(/"10000000000000000\.00" exceeds precision 18 at scale 2/);
    expect(() => money.toBuffer('-10000000000000000')).toThrow(/exceeds precision 18/);
    expect(quantity.fromBuffer(quantity.toBuffer('999999999999999.999'))).toBe('999999999999999.999');
    expect(() => quantity.toBuffer('1000000000000000')).toThrow(/precision 18 at scale 3/);
  });

  it('is exact far beyond 2^53 (BigInt), e.g. decimal(38,2)', () => {
    const wide = typeOf({ type: 'bytes', logicalType: 'decimal', precision: 38, scale: 2 });
    const max = `${'9'.repeat(36)}.99`;
    expect(wide.fromBuffer(wide.toBuffer(max))).toBe(max);
    expect(wide.fromBuffer(wide.toBuffer(`-${max}`))).toBe(`-${max}`);
    expect(wide.fromBuffer(wide.toBuffer('9007199254740993.01'))).toBe('9007199254740993.01');
    expect(() => wide.toBuffer(`1${'0'.repeat(36)}.00`)).toThrow(/precision 38/);
  });

  it.each([[1.5], [150n], [null], [''], ['1e3'], ['1,50'], [' 1.00'], ['+1.00'], ['.5'], ['5.'], ['--1'], ['NaN']])('rejects %s', (bad) => {
    expect(() => money.toBuffer(bad)).toThrow(/decimal\(18,2\)/);
    expect(money.isValid(bad)).toBe(false);
  });

  it('rejects a decimal read from the wire that exceeds the precision instead of passing it on', () => {
    const tooBig = plainBytes.toBuffer(toTwosComplement(10n ** 18n));
    expect(() => money.fromBuffer(tooBig)).toThrow(/exceeds precision 18/);
  });

  it('supports fixed-size decimals with sign extension', () => {
    const fixed = typeOf({ type: 'fixed', name: 'F8', size: 8, logicalType: 'decimal', precision: 18, scale: 2 });
    const buf = fixed.toBuffer('-1.00');
    expect(buf.toString('hex')).toBe('ffffffffffffff9c');
    expect(fixed.fromBuffer(buf)).toBe('-1.00');
  });

  it('validates its own schema attributes', () => {
    expect(() => typeOf({ type: 'bytes', logicalType: 'decimal', scale: 2 })).toThrow(/precision/);
    expect(() => typeOf({ type: 'bytes', logicalType: 'decimal', precision: 4, scale: 5 })).toThrow(/scale/);
    expect(() => typeOf({ type: 'string', logicalType: 'decimal', precision: 4, scale: 2 })).toThrow(/bytes or fixed/);
  });

  it('exports precision and scale with the schema', () => {
    expect(money.schema({ exportAttrs: true })).toEqual({ type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 });
  });

  it('resolves a writer at another scale exactly or not at all', () => {
    const r = money.createResolver(quantity);
    expect(money.fromBuffer(quantity.toBuffer('1.500'), r)).toBe('1.50');
    expect(() => money.fromBuffer(quantity.toBuffer('1.505'), r)).toThrow(/without rounding/);
    expect(quantity.fromBuffer(money.toBuffer('-2.25'), quantity.createResolver(money))).toBe('-2.250');
    expect(money.fromBuffer(plainBytes.toBuffer(Buffer.from('7f', 'hex')), money.createResolver(plainBytes))).toBe('1.27');
  });

  it('two’s complement helpers agree with each other over a range of values', () => {
    for (const v of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, -32768n, -32769n, 2n ** 63n, -(2n ** 63n), 10n ** 30n + 7n]) {
      expect(fromTwosComplement(toTwosComplement(v))).toBe(v);
    }
    expect(toTwosComplement(0n).toString('hex')).toBe('00');
  });
});

describe('decimal in a nullable union', () => {
  const t = typeOf({ type: 'record', name: 'R', fields: [{ name: 'v', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 }], default: null }] });

  it('is a plain string or null, never a wrapped union value', () => {
    expect(t.fromBuffer(t.toBuffer({ v: '0.10' }))).toEqual({ v: '0.10' });
    expect(t.fromBuffer(t.toBuffer({ v: null }))).toEqual({ v: null });
  });

  it('still rejects more fraction digits than the scale', () => {
    expect(() => t.toBuffer({ v: '1.001' })).toThrow(/"1\.001"/);
    const paths: string[] = [];
    expect(t.isValid({ v: '1.001' }, { errorHook: (p) => paths.push(p.join('.')) })).toBe(false);
    expect(paths).toEqual(['v']);
  });
});

describe('timestamp-millis ⇄ ISO-8601 string', () => {
  it.each([
    ['2026-11-21T10:00:00.000Z', Date.UTC(2026, 10, 21, 10)],
    ['1969-12-31T23:59:59.999Z', -1],
    ['1970-01-01T00:00:00.000Z', 0],
    ['2024-02-29T23:59:59.123Z', Date.UTC(2024, 1, 29, 23, 59, 59, 123)],
  ])('%s is the long %d and reads back unchanged', (iso, millis) => {
    const buf = timestamp.toBuffer(iso);
    expect(plainLong.fromBuffer(buf)).toBe(millis);
    expect(timestamp.fromBuffer(buf)).toBe(iso);
  });

  it.each([
    ['2026-11-21T13:00:00+03:00', '2026-11-21T10:00:00.000Z'],
    ['2026-11-21T02:30:00-07:30', '2026-11-21T10:00:00.000Z'],
    ['2026-11-21T10:00:00Z', '2026-11-21T10:00:00.000Z'],
    ['2026-11-21T10:00:00.5Z', '2026-11-21T10:00:00.500Z'],
  ])('accepts %s (offset or short fraction) and reads back the UTC form %s', (input, out) => {
    expect(timestamp.fromBuffer(timestamp.toBuffer(input))).toBe(out);
  });

  it.each([
    ['2026-02-30T00:00:00Z'],
    ['2026-11-21T24:00:00Z'],
    ['2026-11-21T10:60:00Z'],
    ['2026-11-21T10:00:00'],
    ['2026-11-21 10:00:00Z'],
    ['2026-11-21T10:00:00.123456Z'],
    ['2026-11-21'],
    ['yesterday'],
    [1763719200000],
    [new Date(0)],
    [null],
  ])('rejects %j', (bad) => {
    expect(() => timestamp.toBuffer(bad)).toThrow(/timestamp-millis/);
    expect(timestamp.isValid(bad)).toBe(false);
  });

  it('reads a plain long writer (schema evolution)', () => {
    expect(timestamp.fromBuffer(plainLong.toBuffer(0), timestamp.createResolver(plainLong))).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('date ⇄ YYYY-MM-DD', () => {
  it.each([
    ['1970-01-01', 0],
    ['1969-12-31', -1],
    ['2026-11-21', Date.UTC(2026, 10, 21) / 86_400_000],
    ['2024-02-29', Date.UTC(2024, 1, 29) / 86_400_000],
    ['0001-01-01', -719162],
  ])('%s is day %d since the epoch and reads back unchanged', (iso, days) => {
    const buf = date.toBuffer(iso);
    expect(plainInt.fromBuffer(buf)).toBe(days);
    expect(date.fromBuffer(buf)).toBe(iso);
  });

  it.each([['2026-02-29'], ['2026-13-01'], ['2026-11-31'], ['21.11.2026'], ['2026-11-21T00:00:00Z'], ['2026-1-5'], [20413], [null]])('rejects %j', (bad) => {
    expect(() => date.toBuffer(bad)).toThrow(/date/);
    expect(date.isValid(bad)).toBe(false);
  });
});

describe('uuid', () => {
  it('accepts lowercase UUIDs as they are', () => {
    const id = '0b5c1a4e-7f3d-5e2a-9c1b-2d4e6f8a0b1c';
    expect(uuid.fromBuffer(uuid.toBuffer(id))).toBe(id);
    expect(avro.Type.forSchema('string').fromBuffer(uuid.toBuffer(id))).toBe(id);
  });

  it.each([['0B5C1A4E-7F3D-5E2A-9C1B-2D4E6F8A0B1C'], ['0b5c1a4e7f3d5e2a9c1b2d4e6f8a0b1c'], ['{0b5c1a4e-7f3d-5e2a-9c1b-2d4e6f8a0b1c}'], ['not-a-uuid'], [''], [42], [null]])('rejects %j', (bad) => {
    expect(() => uuid.toBuffer(bad)).toThrow(/uuid/);
    expect(uuid.isValid(bad)).toBe(false);
  });

  it('rejects a non-UUID string read from the wire', () => {
    const plain = avro.Type.forSchema('string');
    expect(() => uuid.fromBuffer(plain.toBuffer('ЗК-000123'))).toThrow(/uuid/);
    expect(() => uuid.fromBuffer(plain.toBuffer('ЗК-000123'), uuid.createResolver(plain))).toThrow(/uuid/);
  });
});

describe('avroTypeOptions', () => {
  const record = { type: 'record', name: 'Shared', namespace: 'esb.test', fields: [{ name: 'id', type: { type: 'string', logicalType: 'uuid' } }] };

  it('can be passed to forSchema again and again (avsc would otherwise keep a registry in it: "duplicate type name")', () => {
    const a = typeOf(record);
    const b = typeOf(record);
    expect(a).not.toBe(b);
    expect(Object.keys(avroTypeOptions).sort()).toEqual(['assertLogicalTypes', 'logicalTypes', 'typeHook', 'wrapUnions']);
    expect((avroTypeOptions as { registry?: unknown }).registry).toBeUndefined();
    // What happens with a plain options object, for contrast:
    const plain = { logicalTypes: avroLogicalTypes };
    avro.Type.forSchema(record as Schema, plain);
    expect(() => avro.Type.forSchema(record as Schema, plain)).toThrow(/duplicate type name/);
  });

  it('works as a copied options object (what @kafkajs/confluent-schema-registry does with forSchemaOptions)', () => {
    const t = avro.Type.forSchema(record as Schema, { ...avroTypeOptions, typeHook: undefined });
    expect(t.fromBuffer(t.toBuffer({ id: '0b5c1a4e-7f3d-5e2a-9c1b-2d4e6f8a0b1c' }))).toEqual({ id: '0b5c1a4e-7f3d-5e2a-9c1b-2d4e6f8a0b1c' });
  });

  it('refuses ambiguous unions instead of silently wrapping them', () => {
    expect(() => typeOf(['int', 'long'])).toThrow(/ambiguous/);
  });
});
