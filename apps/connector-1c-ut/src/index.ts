// Public surface of @esb/connector-1c-ut, also what the Retail connector reuses: the config slice and client, the
// sink module with its start-up metadata check, and the pure mappings.
export { onecConfig, parseDuration, ONEC_KINDS, type OneCConfig, type OneCKind } from './config.ts';
export { onecClient } from './client.ts';
export { rememberOwnWrite, isOwnWrite } from './echo.ts';
export { AppModule, onecSink, SINK_EMITS } from './app.module.ts';
export { checkMetadata, MetadataMismatchError } from './sink/metadata.ts';
export { sharedOneCClient, useOneCClient } from './sink/clients.ts';
export { sinkShape, lacksText, type SinkShape, type Lack } from './sink/shape.ts';
export { sinkBusinessKeys } from './sink/records.ts';
export { vatToOneC, vatFromOneC, vatPercent, vatTaxation } from './mapping/vat.ts';
export { originMarker, navigationUrl, toMinor, fromMinor, toOneCNumber, oneCToMinor } from './mapping/order.ts';
export { registerSource, sourceJobs, SOURCE_EMITS, DEFAULT_POLL_MS, INGEST_RECORDS, type SourceOptions } from './source/index.ts';
export { onecUtConnector, ONEC_UT_SERVICE } from './spec.ts';
