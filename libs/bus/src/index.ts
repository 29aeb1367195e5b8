// The bus: Kafka topics, Avro serde through the registry, idempotent producer, outbox relay, the consumer with
// inbox dedup / retries / DLQ, exactly-once processing, consumer lag and the NestJS transport.
export * from './errors.ts';
export * from './logger.ts';
export * from './kafka.ts';
export * from './serde.ts';
export * from './producer.ts';
export * from './outbox-relay.ts';
export * from './consumer.ts';
export * from './transactional.ts';
export * from './lag.ts';
export * from './nest-transport.ts';
export * from './shutdown.ts';
