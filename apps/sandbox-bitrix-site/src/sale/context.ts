// What every part of the site works with: the state, the clock, and the paid-order handler.
import type { Clock } from '../util/clock.ts';
import type { PushRecord, SiteState } from '../state.ts';
import type { Order } from './model.ts';

export interface SiteContext {
  state: SiteState;
  clock: Clock;
  /** The site's OnSaleOrderPaid handler: runs synchronously inside the save, as PHP event handlers do. */
  onOrderPaid(order: Order): Promise<PushRecord | undefined>;
}

export class SaleError extends Error {
  constructor(
    message: string,
    /** REST error code to answer with (numeric sale codes, or strings like ERROR_CORE). */
    readonly code: string | number = 0,
    readonly status = 400,
  ) {
    super(message);
  }
}
