// PostgreSQL storage of the bus: TypeORM data source and migrations; outbox, inbox, xref, cursor, exchange log.
export * from './entities.ts';
export * from './store.ts';
export * from './outbox-reader.ts';
export * from './inbound.ts';
