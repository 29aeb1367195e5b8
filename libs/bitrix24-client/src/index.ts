// @esb/bitrix24-client: the Bitrix24 REST client of the bus — webhook or OAuth auth (tokens encrypted in PostgreSQL,
// single-flight refresh), one limiter per portal (leaky bucket + operating-time budget), batch and coalescing, ID-cursor
// lists. Written on Node's fetch rather than wrapping @bitrix24/b24jssdk: our limiter must govern every request
// (the SDK paces with its own limiter per SDK instance, not per portal across our clients), token storage must be ours
// (encrypted, keyed by member_id, in the service's PostgreSQL) and a refresh must be single-flight across the process
// and across processes (the SDK refreshes per instance, in memory) — README.md says more.
export * from './errors.ts';
export * from './limiter.ts';
export * from './shared-limiter.ts';
export * from './auth.ts';
export * from './client.ts';
export { buildQuery, batchCommand } from './php.ts';
