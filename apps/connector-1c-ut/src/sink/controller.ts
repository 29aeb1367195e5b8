// The sink's Nest controller: one @EventPattern handler per record type delivered on esb.deliver.<systemId>. Each
// runs inside the inbox transaction of its message (the consumer already dropped replays of the same eventId);
// failures leave here as EsbErrors naming the record, retriable or permanent as 1C said.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EsbContext } from '@esb/bus';
import type { Counterparty, Invoice, Order, OrderReversal } from '@esb/canonical';
import { CONNECTOR, type Connector } from '@esb/connector-kit';
import { onecConfig } from '../config.ts';
import { sharedOneCClient } from './clients.ts';
import { writeInvoice } from './invoices.ts';
import { Job, namedError, type RecordInfo } from './job.ts';
import { writeOrder } from './orders.ts';
import { counterpartyInfo, counterpartyRefOf, invoiceInfo, orderInfo, reversalInfo } from './records.ts';
import { buyerOf } from './resolve.ts';
import { reverseOrder } from './reversals.ts';
import { sinkShape } from './shape.ts';

// Errors reach the consumer as thrown: the connector kit installs @esb/bus's PassThroughRpcFilter globally.
@Controller()
export class OneCSinkController {
  constructor(@Inject(CONNECTOR) private readonly c: Connector) {}

  @EventPattern('esb.canonical.Order')
  async onOrder(@Payload() order: Order, @Ctx() ctx: unknown): Promise<void> {
    await this.run(ctx, orderInfo(order), (job) => writeOrder(job, order));
  }

  @EventPattern('esb.canonical.Invoice')
  async onInvoice(@Payload() invoice: Invoice, @Ctx() ctx: unknown): Promise<void> {
    await this.run(ctx, invoiceInfo(invoice), (job) => writeInvoice(job, invoice));
  }

  /** A new company in the CRM (F5 the other way): found by INN/KPP or created with its partner, once. */
  @EventPattern('esb.canonical.Counterparty')
  async onCounterparty(@Payload() cp: Counterparty, @Ctx() ctx: unknown): Promise<void> {
    if (cp.deleted) {
      this.c.logger.info('deleted counterparty not propagated to 1C', { counterparty: cp.counterpartyId, source: cp.meta.source.system });
      return;
    }
    await this.run(ctx, counterpartyInfo(cp), async (job) => void (await buyerOf(job, counterpartyRefOf(cp))));
  }

  @EventPattern('esb.canonical.OrderReversal')
  async onOrderReversal(@Payload() reversal: OrderReversal, @Ctx() ctx: unknown): Promise<void> {
    await this.run(ctx, reversalInfo(reversal), (job) => reverseOrder(job, reversal));
  }

  private async run(context: unknown, info: RecordInfo, fn: (job: Job) => Promise<void>): Promise<void> {
    const ctx = context as EsbContext;
    const key = Object.entries(info.keys).map(([k, v]) => `${k}=${v}`).join(' ');
    try {
      // Read per delivery: a reloaded topology (new URL, postDocuments, entities) applies to the next record.
      const cfg = onecConfig(this.c);
      const job = new Job(this.c, sharedOneCClient(this.c), cfg, sinkShape(cfg.profile), ctx.tx, info);
      await fn(job);
    } catch (e) {
      throw namedError(e, info.what, this.c.systemId, key);
    }
  }
}
