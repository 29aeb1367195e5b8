// The canonical model: deterministic ids, Russian identifier rules, normalisation, Avro schemas and types.
export * from './ids.ts';
export * from './identifiers.ts';
export * from './names.ts';
export * from './phones.ts';
export * from './avro/logical-types.ts';
export * from './avro/schemas.ts';
export type * from './generated/types.ts';
