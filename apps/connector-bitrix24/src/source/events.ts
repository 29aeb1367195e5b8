// Which portal events the source side listens to and what each is about (reference §4.6): one table for the webhook
// route, the offline-queue drain and the event bindings, so the three can never disagree.
import { at, idOf, isPhpMap, text, type PhpValue } from '../mapping/form.ts';

/** The objects the source side reads and publishes; also the `kind` of inbound rows. */
export type EntityKind = 'deal' | 'company' | 'contact' | 'requisite' | 'invoice' | 'smart-invoice';

export const ENTITY_KINDS: readonly EntityKind[] = ['deal', 'company', 'contact', 'requisite', 'invoice', 'smart-invoice'];

/** Smart invoices are the universal items of this type (reference §6.8). */
export const SMART_INVOICE_TYPE = '31';

/** Events that say an object changed; a funnel move arrives only as ONCRMDEALMOVETOCATEGORY (app-only). */
const ENTITY_EVENTS: Record<string, EntityKind> = {
  ONCRMDEALADD: 'deal',
  ONCRMDEALUPDATE: 'deal',
  ONCRMDEALMOVETOCATEGORY: 'deal',
  ONCRMCOMPANYADD: 'company',
  ONCRMCOMPANYUPDATE: 'company',
  ONCRMCONTACTADD: 'contact',
  ONCRMCONTACTUPDATE: 'contact',
  // INN and KPP live in requisites, whose edits do not touch the company: they republish the owner.
  ONCRMREQUISITEADD: 'requisite',
  ONCRMREQUISITEUPDATE: 'requisite',
  ONCRMINVOICEADD: 'invoice',
  ONCRMINVOICEUPDATE: 'invoice',
  ONCRMINVOICESETSTATUS: 'invoice',
  ONCRMDYNAMICITEMADD: 'smart-invoice',
  ONCRMDYNAMICITEMUPDATE: 'smart-invoice',
};

/** Online bindings of an application: the change events plus the signal that the offline queue has something. */
export const ONLINE_EVENTS: readonly string[] = [...Object.keys(ENTITY_EVENTS), 'ONOFFLINEEVENT'];
/** Offline bindings: every change event, queued by the portal while nobody listens. */
export const OFFLINE_EVENTS: readonly string[] = Object.keys(ENTITY_EVENTS);
/** What an outgoing webhook (webhook mode) should be configured with in the portal's UI. */
export const WEBHOOK_EVENTS: readonly string[] = Object.keys(ENTITY_EVENTS).filter((e) => e !== 'ONCRMDEALMOVETOCATEGORY');

export type EventTarget = { kind: EntityKind; id: string } | { skip: string };

/**
 * The object an event is about: `data[FIELDS][ID]` (smart invoices also `data[FIELDS][ENTITY_TYPE_ID]` = 31).
 * Deletions and other objects are skipped with the reason; a change event without an id is malformed (throws).
 */
export function eventTarget(event: string, data: PhpValue | unknown): EventTarget {
  const name = event.toUpperCase();
  const kind = ENTITY_EVENTS[name];
  if (!kind) {
    if (/DELETE$/.test(name)) return { skip: `${name}: deletions are not published (1C keeps its documents; counterparties are marked deleted there by a person)` };
    return { skip: `${name}: not an event this connector publishes` };
  }
  const fields = isPhpMap(data) ? at(data, 'FIELDS') : undefined;
  const id = idOf(isPhpMap(fields) ? fields.ID : undefined);
  if (!id) throw new Error(`${name} without data[FIELDS][ID]`);
  if (kind === 'smart-invoice') {
    const type = text(isPhpMap(fields) ? fields.ENTITY_TYPE_ID : undefined);
    if (type !== SMART_INVOICE_TYPE) return { skip: `${name} for entity type ${type || '?'} (item ${id}): only smart invoices (${SMART_INVOICE_TYPE}) are published` };
  }
  return { kind, id };
}

/** The inbound dedupe key of an object: one waiting visit per object is enough. */
export const dedupeKey = (kind: EntityKind, id: string): string => `${kind}:${id}`;
