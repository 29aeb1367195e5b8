// What the Retail deployment registers before it starts: the configuration check (the Retail profile against the
// base's $metadata, and the report of what Retail lacks), then the pollers and the ingest route the base supports.
import type { Connector, ConnectorOptions } from '@esb/connector-kit';
import { checkMetadata, onecSink, onecUtConnector, registerSource, sharedOneCClient, SINK_EMITS, SOURCE_EMITS } from '@esb/connector-1c-ut';
import { retailConfig } from './config.ts';

export async function buildRetail(c: Connector): Promise<void> {
  retailConfig(c);
  await checkMetadata(c, sharedOneCClient(c));
  registerSource(c, () => sharedOneCClient(c));
}

/** Connector options of a Retail deployment: the sink, and the topics of everything it emits. */
export function retailOptions(): Pick<ConnectorOptions, 'sink' | 'emits' | 'probe'> {
  return { sink: onecSink(), emits: [...new Set([...SINK_EMITS, ...SOURCE_EMITS])], probe: onecUtConnector.options?.probe };
}
