// 1C prices (InformationRegister_ЦеныНоменклатуры25 / ЦеныНоменклатуры, read as a SliceLast) → canonical Price (F6):
// one event per product and price type whose current price changed; the price type by name, which config maps to
// a Bitrix24 price list / site price type.
import type { Meta, Price } from '@esb/canonical';
import { money, type Wire } from './inbound.ts';

/** The snapshot key of one price: product and price type (characteristics are not part of the canonical price). */
export const priceKey = (itemRef: string, priceTypeRef: string): string => `${itemRef}/${priceTypeRef}`;

/** What is compared between polls: the amount and the moment it applies from, so a re-set equal price is quiet. */
export const priceValue = (amount: Wire, period: string): string => `${money(amount)}@${period}`;

export interface PriceInput {
  meta: Meta;
  productId: string;
  article: string | null;
  priceType: string;
  amount: Wire;
  currency: string;
  vatIncluded: boolean;
  /** ISO instant of the register's Period. */
  validFrom: string;
}

export function toPrice(i: PriceInput): Price {
  return {
    meta: i.meta,
    productId: i.productId,
    article: i.article,
    priceType: i.priceType,
    amount: money(i.amount),
    currency: i.currency,
    vatIncluded: i.vatIncluded,
    validFrom: i.validFrom,
  };
}
