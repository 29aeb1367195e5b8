// TypeORM entity schemas of the bus tables (no decorators: explicit column types, no reflection metadata needed).
import { EntitySchema } from 'typeorm';

export interface OutboxRow {
  id: string;
  eventId: string;
  topic: string;
  messageKey: string;
  recordType: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export interface InboxRow {
  consumerGroup: string;
  eventId: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  processedAt: Date;
}

export interface XrefRow {
  id: string;
  entityType: string;
  canonicalId: string;
  systemId: string;
  externalId: string;
  number: string | null;
  url: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CursorRow {
  name: string;
  value: string;
  updatedAt: Date;
}

export type ExchangeDirection = 'in' | 'out' | 'internal';
export type ExchangeStatus = 'ok' | 'error' | 'duplicate' | 'skipped' | 'retry' | 'dlq';

export interface ExchangeLogRow {
  id: string;
  at: Date;
  service: string;
  direction: ExchangeDirection;
  systemId: string | null;
  operation: string;
  recordType: string | null;
  eventId: string | null;
  correlationId: string | null;
  businessKeys: Record<string, string>;
  status: ExchangeStatus;
  latencyMs: number | null;
  errorCode: string | null;
  error: string | null;
  details: Record<string, unknown> | null;
}

const createdAt = { type: 'timestamptz', createDate: true, name: 'created_at' } as const;

export const OutboxEntity = new EntitySchema<OutboxRow>({
  name: 'Outbox',
  tableName: 'outbox',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    eventId: { type: 'uuid', name: 'event_id', unique: true },
    topic: { type: 'text' },
    messageKey: { type: 'text', name: 'message_key' },
    recordType: { type: 'text', name: 'record_type' },
    payload: { type: 'jsonb' },
    headers: { type: 'jsonb', default: () => "'{}'" },
    createdAt,
    publishedAt: { type: 'timestamptz', name: 'published_at', nullable: true },
    attempts: { type: 'int', default: 0 },
    lastError: { type: 'text', name: 'last_error', nullable: true },
  },
});

export const InboxEntity = new EntitySchema<InboxRow>({
  name: 'Inbox',
  tableName: 'inbox',
  columns: {
    consumerGroup: { type: 'text', name: 'consumer_group', primary: true },
    eventId: { type: 'uuid', name: 'event_id', primary: true },
    topic: { type: 'text', nullable: true },
    partition: { type: 'int', nullable: true },
    offset: { type: 'bigint', nullable: true },
    processedAt: { type: 'timestamptz', name: 'processed_at', createDate: true },
  },
});

export const XrefEntity = new EntitySchema<XrefRow>({
  name: 'Xref',
  tableName: 'xref',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    entityType: { type: 'text', name: 'entity_type' },
    canonicalId: { type: 'uuid', name: 'canonical_id' },
    systemId: { type: 'text', name: 'system_id' },
    externalId: { type: 'text', name: 'external_id' },
    number: { type: 'text', nullable: true },
    url: { type: 'text', nullable: true },
    createdAt,
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  uniques: [
    { name: 'xref_canonical', columns: ['entityType', 'canonicalId', 'systemId'] },
    { name: 'xref_external', columns: ['entityType', 'systemId', 'externalId'] },
  ],
});

export const CursorEntity = new EntitySchema<CursorRow>({
  name: 'Cursor',
  tableName: 'cursor',
  columns: {
    name: { type: 'text', primary: true },
    value: { type: 'text' },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});

export const ExchangeLogEntity = new EntitySchema<ExchangeLogRow>({
  name: 'ExchangeLog',
  tableName: 'exchange_log',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    at: { type: 'timestamptz', createDate: true },
    service: { type: 'text' },
    direction: { type: 'text' },
    systemId: { type: 'text', name: 'system_id', nullable: true },
    operation: { type: 'text' },
    recordType: { type: 'text', name: 'record_type', nullable: true },
    eventId: { type: 'uuid', name: 'event_id', nullable: true },
    correlationId: { type: 'text', name: 'correlation_id', nullable: true },
    businessKeys: { type: 'jsonb', name: 'business_keys', default: () => "'{}'" },
    status: { type: 'text' },
    latencyMs: { type: 'int', name: 'latency_ms', nullable: true },
    errorCode: { type: 'text', name: 'error_code', nullable: true },
    error: { type: 'text', nullable: true },
    details: { type: 'jsonb', nullable: true },
  },
});

export const entities = [OutboxEntity, InboxEntity, XrefEntity, CursorEntity, ExchangeLogEntity];
