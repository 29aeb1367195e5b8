// Bitrix24 connector process: one deployment per portal (SYSTEM_ID picks its entry in the topology).
// Environment: SYSTEM_ID, ESB_CONFIG, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, PORT, HOST; PUBLIC_URL (the
// URL the portal posts events to, for event.bind), ESB_TOKEN_KEY (OAuth tokens at rest), B24_OAUTH_SERVER.
import { runConnector } from '@esb/connector-kit';
import { bitrix24Connector } from './spec.ts';

await runConnector(bitrix24Connector);
