// Public surface of @esb/connector-bitrix24: the runnable spec (main.ts, the end-to-end stack, the demo), the config
// slice and client, and the source and sink entry points.
export { bitrix24Connector, BITRIX24_SERVICE, USERFIELDS_JOB } from './spec.ts';
export { b24Config, DEFAULT_FIELDS, AUTH_CONNECTOR, type B24Config, type FieldPurpose } from './config.ts';
export { portalClient, portalAuth, oauthServer } from './client.ts';
export { AppModule, sinkBusinessKeys } from './app.module.ts';
export { ensureUserFields } from './sink/userfields.ts';
export { registerSource, SOURCE_EMITS, webhookPath, ONLINE_EVENTS, OFFLINE_EVENTS } from './source/index.ts';
