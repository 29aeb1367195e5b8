// The sink's Nest controller: one @EventPattern per record type delivered on esb.deliver.<systemId>, each applied in
// the transaction of its inbox row (the consumer already dropped repeated eventIds; every effect below is idempotent
// beyond that, so a new eventId with the same content changes nothing either). Starts and stops the catalog pusher.
import { Controller, Inject, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EsbContext } from '@esb/bus';
import type { Counterparty, Debt, EdoStatus, Invoice, Link, Payment, Price, Product, Shipment, StockLevel } from '@esb/canonical';
import { invalid, refOf, trace } from './context.ts';
import { Sink, SINK } from './sink.ts';

const txOf = (ctx: unknown) => (ctx as EsbContext).tx;

@Controller()
// Handler errors reach the consumer as thrown (the connector kit installs @esb/bus's PassThroughRpcFilter globally).
export class SinkController implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(SINK) private readonly s: Sink) {}

  async onModuleInit(): Promise<void> {
    this.s.catalog.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.s.catalog.stop();
  }

  @EventPattern('esb.canonical.Link')
  async onLink(@Payload() r: Link, @Ctx() ctx: unknown): Promise<void> {
    await this.s.orders.link(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.Invoice')
  async onInvoice(@Payload() r: Invoice, @Ctx() ctx: unknown): Promise<void> {
    await this.s.orders.invoice(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.Payment')
  async onPayment(@Payload() r: Payment, @Ctx() ctx: unknown): Promise<void> {
    await this.s.orders.payment(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.Shipment')
  async onShipment(@Payload() r: Shipment, @Ctx() ctx: unknown): Promise<void> {
    await this.s.orders.shipment(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.EdoStatus')
  async onEdoStatus(@Payload() r: EdoStatus, @Ctx() ctx: unknown): Promise<void> {
    await this.s.orders.edo(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.Counterparty')
  async onCounterparty(@Payload() r: Counterparty, @Ctx() ctx: unknown): Promise<void> {
    await this.s.counterparties.counterparty(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.Debt')
  async onDebt(@Payload() r: Debt, @Ctx() ctx: unknown): Promise<void> {
    await this.s.counterparties.debt(r, txOf(ctx));
  }

  @EventPattern('esb.canonical.Product')
  async onProduct(@Payload() r: Product, @Ctx() ctx: unknown): Promise<void> {
    const ref = refOf('Product', r.meta, `Product ${r.article ?? r.name} (${r.productId})`, txOf(ctx));
    if (r.meta.source.system === this.s.c.systemId) {
      await trace(this.s.c, ref, 'apply', 'skipped', { product: r.productId }, { details: { reason: 'published by this portal itself' } });
      return;
    }
    if (r.meta.source.externalId.trim() === '') throw invalid(this.s.c, ref, 'meta.source.externalId (the 1C id, written as XML_ID) is empty', r.article ?? r.productId);
    if (r.name.trim() === '') throw invalid(this.s.c, ref, 'name is empty; a catalog product needs a name', r.article ?? r.productId);
    await this.s.catalog.stageProduct(ref, r);
  }

  @EventPattern('esb.canonical.Price')
  async onPrice(@Payload() r: Price, @Ctx() ctx: unknown): Promise<void> {
    const ref = refOf('Price', r.meta, `Price ${r.priceType} of ${r.article ?? r.productId}`, txOf(ctx));
    const staged = await this.s.catalog.stagePrice(ref, r);
    if (typeof staged === 'object') await trace(this.s.c, ref, 'apply', 'skipped', { product: r.productId, priceType: r.priceType }, { details: { reason: staged.skip } });
  }

  @EventPattern('esb.canonical.StockLevel')
  async onStockLevel(@Payload() r: StockLevel, @Ctx() ctx: unknown): Promise<void> {
    const ref = refOf('StockLevel', r.meta, `Stock of ${r.article ?? r.productId} at ${r.warehouse.name}`, txOf(ctx));
    await this.s.catalog.stageStock(ref, r);
  }
}
