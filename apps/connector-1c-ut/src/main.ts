// 1C:УТ 11 connector process: one deployment per 1C database (SYSTEM_ID picks its entry in the topology).
// Environment: SYSTEM_ID, ESB_CONFIG, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, PORT, HOST.
import { runConnector } from '@esb/connector-kit';
import { onecUtConnector } from './spec.ts';

await runConnector(onecUtConnector);
