// The connector's sink as a Nest module (architecture §4): the controller handling the records delivered on
// esb.deliver.<systemId>, and the Sink it works with, built from the running Connector. The portal client inside is
// created on first use and cached: in OAuth mode the tokens may only arrive after start-up.
import { Module, type DynamicModule } from '@nestjs/common';
import type { BusMessage } from '@esb/bus';
import { CONNECTOR, type Connector } from '@esb/connector-kit';
import { SinkController } from './sink/controller.ts';
import { Sink, SINK, type SinkOptions } from './sink/sink.ts';

@Module({
  controllers: [SinkController],
  providers: [{ provide: SINK, useFactory: (c: Connector) => new Sink(c), inject: [CONNECTOR] }],
})
export class AppModule {
  /** The module with options (a ready client, catalog pacing): tests and tools. */
  static with(o: SinkOptions): DynamicModule {
    return { module: AppModule, controllers: [SinkController], providers: [{ provide: SINK, useFactory: (c: Connector) => new Sink(c, o), inject: [CONNECTOR] }] };
  }
}

/** Business keys of a delivered record for the consumer's exchange-log line (`sink.businessKeys`). */
export function sinkBusinessKeys(msg: BusMessage): Record<string, string> {
  const v = msg.value as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const k of ['orderId', 'invoiceId', 'paymentId', 'shipmentId', 'counterpartyId', 'productId', 'canonicalId', 'number', 'documentNumber', 'inn', 'kpp', 'article']) {
    const x = v[k];
    if (typeof x === 'string' && x !== '') out[k] = x;
  }
  return out;
}
