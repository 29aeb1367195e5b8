// Everything the sink's handlers share, built once per connector: the portal access, deals, Disk, the order and
// counterparty effects and the catalog pusher.
import type { Bitrix24Client } from '@esb/bitrix24-client';
import type { Connector } from '@esb/connector-kit';
import { CatalogSync } from './catalog.ts';
import { CounterpartyEffects } from './counterparties.ts';
import { Deals } from './deals.ts';
import { DiskFiles } from './disk.ts';
import { OrderEffects } from './orders.ts';
import { Portal } from './portal.ts';

/** Injection token of the Sink inside the connector's Nest module. */
export const SINK = Symbol.for('esb.bitrix24.sink');

export interface SinkOptions {
  /** A ready portal client; by default built from the topology (and stored OAuth tokens) on first use. */
  client?: Bitrix24Client;
  catalog?: { lingerMs?: number; maxLingerMs?: number; idlePollMs?: number };
}

export class Sink {
  readonly portal: Portal;
  readonly deals: Deals;
  readonly disk: DiskFiles;
  readonly orders: OrderEffects;
  readonly counterparties: CounterpartyEffects;
  readonly catalog: CatalogSync;

  constructor(
    readonly c: Connector,
    o: SinkOptions = {},
  ) {
    this.portal = new Portal(c, o.client);
    this.deals = new Deals(c, this.portal);
    this.disk = new DiskFiles(c, this.portal);
    this.orders = new OrderEffects(c, this.portal, this.deals, this.disk);
    this.counterparties = new CounterpartyEffects(c, this.portal);
    this.catalog = new CatalogSync(c, this.portal, o.catalog);
  }
}
