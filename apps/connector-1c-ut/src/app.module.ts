// The sink side of the 1C connector as a Nest module (architecture §4): the controller handling Order, Invoice and
// OrderReversal deliveries. The connector runtime injects itself (CONNECTOR); the OData client is built lazily, once
// per deployment, on the first delivery.
import { Module } from '@nestjs/common';
import type { ConnectorOptions } from '@esb/connector-kit';
import { OneCSinkController } from './sink/controller.ts';
import { sinkBusinessKeys } from './sink/records.ts';

@Module({ controllers: [OneCSinkController] })
export class AppModule {}

/** Record types the sink emits (their topics are created at start-up). */
export const SINK_EMITS = ['esb.canonical.Link'];

/** The `sink` option of Connector.open / runConnector for a 1C deployment. */
export function onecSink(over: Partial<NonNullable<ConnectorOptions['sink']>> = {}): NonNullable<ConnectorOptions['sink']> {
  return { module: AppModule, businessKeys: sinkBusinessKeys, ...over };
}
