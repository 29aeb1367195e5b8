// 1C:Розница connector process: one deployment per Retail database (SYSTEM_ID), the 1C connector contract on the
// Retail profile. Environment: SYSTEM_ID, ESB_CONFIG, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, PORT.
import { runConnector } from '@esb/connector-kit';
import { onecRetailConnector } from './spec.ts';

await runConnector(onecRetailConnector);
