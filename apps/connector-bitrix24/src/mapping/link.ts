// Link (F1 write-back): 1C created the customer order for a deal; the deal gets the 1C order id and number and one
// timeline comment saying so. Pure: what to write, decided from the Link and the configured field names.
import type { Link } from '@esb/canonical';
import type { UfValue } from '../sink/fields.ts';

export interface DealLinkPlan {
  fields: Record<string, UfValue>;
  /** The timeline comment; its text is deterministic, so a replay finds it and adds nothing. */
  comment: string;
}

export type LinkDecision = { apply: DealLinkPlan } | { skip: string };

/** Field names by purpose (config `fields:`). */
export interface LinkFields {
  onecOrderId: string;
  onecOrderNumber: string;
}

export function linkToDeal(link: Link, f: LinkFields): LinkDecision {
  if (link.entityType !== 'order') return { skip: `a Link of ${link.entityType} has nothing to write on a deal` };
  const fields: Record<string, UfValue> = { [f.onecOrderId]: { t: 'text', v: link.externalId } };
  // No number means "not told", not "cleared": the field keeps what it has.
  if (link.number) fields[f.onecOrderNumber] = { t: 'text', v: link.number };
  const what = link.number ? `Заказ клиента ${link.number}` : `Заказ клиента ${link.externalId}`;
  const where = link.url ? ` Открыть в 1С: ${link.url}` : '';
  return { apply: { fields, comment: `${what} создан в 1С (${link.systemId}).${where}` } };
}
