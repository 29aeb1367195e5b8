// The router's decisions as pure functions of the topology, the order table and one event (architecture §5):
// which legal entity the event belongs to, where it goes, and what a move between entities' funnels produces.
import { EsbError, topics, type OutgoingRecord } from '@esb/bus';
import { uuidv5, ESB_NAMESPACE } from '@esb/canonical';
import type { Topology, LegalEntity, SystemKind } from '@esb/config';
import type { OrderRoute, OrderStateTable } from './order-state.ts';
import { ORDER_STATE_TOPIC, ORDER_ROUTE } from './order-state.ts';

type Meta = { eventId: string; occurredAt: string; source: { system: string; kind: string; externalId: string }; legalEntityId: string | null; correlationId: string; causationId: string | null };
type Origin = { system: string; kind: string; entityType: string; externalId: string; categoryId: string | null };
export type EventRecord = { meta: Meta; [field: string]: unknown };

export interface Resolution {
  entity: LegalEntity;
  /** Which rule decided, for the logs and the exchange log. */
  by: 'meta' | 'seller-field' | 'funnel' | 'trade-system' | 'site' | 'order' | 'default';
}

const shortName = (recordType: string) => recordType.slice(recordType.lastIndexOf('.') + 1);

function unroutable(recordType: string, v: EventRecord, why: string): EsbError {
  return new EsbError('ESB_UNROUTABLE', `${shortName(recordType)} ${v.meta.eventId} from ${v.meta.source.system} (${v.meta.source.externalId}): ${why}`, {
    system: v.meta.source.system,
    businessKey: v.meta.source.externalId,
  });
}

/** §5.1: explicit id, then the source's own mapping (seller field, funnel, trade database, site, known order), then the default. */
export function resolveLegalEntity(t: Topology, orders: OrderStateTable, recordType: string, v: EventRecord): Resolution {
  const byId = (id: string | null | undefined) => (id ? t.legalEntities.find((e) => e.canonicalId === id) : undefined);
  if (v.meta.legalEntityId) {
    const e = byId(v.meta.legalEntityId);
    if (!e) throw unroutable(recordType, v, `meta.legalEntityId ${v.meta.legalEntityId} is not a legal entity in ${t.file}; add it under legalEntities or fix the source`);
    return { entity: e, by: 'meta' };
  }
  const seller = byId(v.sellerLegalEntityId as string | null | undefined);
  if (seller) return { entity: seller, by: 'seller-field' };
  const source = v.meta.source;
  const origin = v.origin as Origin | undefined;
  if (origin?.categoryId != null && source.kind === 'bitrix24') {
    const e = t.legalEntities.find((x) => x.portal?.system === source.system && String(x.portal.categoryId) === origin.categoryId);
    if (e) return { entity: e, by: 'funnel' };
  }
  const trading = t.legalEntities.filter((x) => x.tradeSystem === source.system);
  if (trading.length === 1) return { entity: trading[0]!, by: 'trade-system' };
  const selling = t.legalEntities.filter((x) => x.sites.includes(source.system));
  if (selling.length === 1) return { entity: selling[0]!, by: 'site' };
  const orderId = v.orderId as string | null | undefined;
  const known = orderId ? orders.get(orderId) : undefined;
  const knownEntity = byId(known?.legalEntityId);
  if (knownEntity) return { entity: knownEntity, by: 'order' };
  const fallback = t.defaultLegalEntity ? t.legalEntities.find((x) => x.id === t.defaultLegalEntity) : undefined;
  if (fallback) return { entity: fallback, by: 'default' };
  throw unroutable(
    recordType,
    v,
    `no legal entity: meta.legalEntityId is empty${origin?.categoryId != null ? `, funnel ${origin.categoryId} of ${source.system} is not mapped` : ''}, ${source.system} serves ${trading.length + selling.length === 0 ? 'no' : 'several'} entities, and there is no defaultLegalEntity`,
  );
}

/** §5.2: the systems an event goes to, from the route table, never back to its own source. */
export function destinations(t: Topology, orders: OrderStateTable, recordType: string, v: EventRecord, entity: LegalEntity): string[] {
  const name = shortName(recordType);
  const kind = v.meta.source.kind as SystemKind;
  const routes = t.routes.filter((r) => (r.record === name || r.record === recordType) && r.from.includes(kind));
  if (routes.length === 0) throw unroutable(recordType, v, `no route for ${name} from a ${kind} system in ${t.file}; add one under routes`);
  // A Link about an order names it by canonicalId; everything else about an order carries orderId.
  const orderId = (v.orderId as string | null | undefined) ?? (recordType === 'esb.canonical.Link' && v.entityType === 'order' ? (v.canonicalId as string) : undefined);
  const order = orderId ? orders.get(orderId) : undefined;
  const origin = (v.origin as Origin | undefined)?.system ?? order?.originSystem;
  // A document about an order (payment, shipment, invoice, EDO state, link), as opposed to the order itself.
  const aboutOrder = orderId !== undefined && orderId !== null && recordType !== 'esb.canonical.Order';
  const out = new Set<string>();
  for (const r of routes) {
    for (const target of r.to) {
      if (target === 'trade') out.add(entity.tradeSystem);
      else if (target === 'portal') {
        // A document about an order belongs on the portal only when the order is a deal there; an order born in 1C
        // or on the site has no card in the CRM to write to.
        if (aboutOrder) {
          if (order?.originKind === 'bitrix24') out.add(order.originSystem);
        } else if (entity.portal) out.add(entity.portal.system);
      } else if (target === 'sites') entity.sites.forEach((s) => out.add(s));
      else if (target === 'origin') {
        if (origin) out.add(origin);
      } else if (target === 'dm') Object.entries(t.systems).forEach(([id, s]) => s.kind === '1c-dm' && out.add(id));
      else out.add(target);
    }
  }
  out.delete(v.meta.source.system);
  return [...out];
}

/** A deterministic id for an event the router derives from another, so re-processing derives the same one. */
export const derivedEventId = (causeEventId: string, what: string) => uuidv5(`router:${what}:${causeEventId}`, ESB_NAMESPACE);

export interface RoutedOutput {
  records: OutgoingRecord[];
  /** For logs: the entity, the rule, the destinations, and whether a funnel move was handled. */
  decision: { entity: string; by: Resolution['by']; to: string[]; movedFrom?: string };
}

/** Everything the router produces for one event, including the order-table change, staged in `orders`. */
export function route(t: Topology, orders: OrderStateTable, recordType: string, v: EventRecord, key: string): RoutedOutput {
  // An event from a system the topology does not know is a misconfigured or retired deployment: routing it by its
  // legal entity would deliver someone else's data; a person decides (DLQ with the reason).
  if (!Object.hasOwn(t.systems, v.meta.source.system)) {
    throw unroutable(recordType, v, `source system "${v.meta.source.system}" is not in ${t.file}; add it under systems, or stop the deployment that publishes as it`);
  }
  const { entity, by } = resolveLegalEntity(t, orders, recordType, v);
  const to = destinations(t, orders, recordType, v, entity);
  const delivered: EventRecord = { ...v, meta: { ...v.meta, legalEntityId: entity.canonicalId } };
  const headers = { 'esb.legal-entity': entity.id };
  const records: OutgoingRecord[] = to.map((sys) => ({ topic: topics.deliver(sys), key, recordType, value: delivered, headers }));
  const decision: RoutedOutput['decision'] = { entity: entity.id, by, to };

  if (recordType === 'esb.canonical.Order') {
    const orderId = v.orderId as string;
    const origin = v.origin as Origin;
    const before = orders.get(orderId);
    if (before && before.legalEntityId !== entity.canonicalId) {
      // §5.3: the deal moved to another entity's funnel: reverse it in the old database; the Order above creates it in the new one.
      const from = t.legalEntities.find((e) => e.canonicalId === before.legalEntityId);
      const reversal = {
        meta: { ...v.meta, eventId: derivedEventId(v.meta.eventId, 'reversal'), legalEntityId: before.legalEntityId, causationId: v.meta.eventId },
        orderId,
        orderNumber: (v.number as string | undefined) ?? before.orderNumber,
        reason: 'MOVED_TO_OTHER_LEGAL_ENTITY',
        fromLegalEntityId: before.legalEntityId,
        toLegalEntityId: entity.canonicalId,
        comment: `${origin.entityType} ${origin.externalId} moved from ${from?.name ?? before.legalEntityId} to ${entity.name}`,
      };
      records.push({ topic: topics.deliver(before.tradeSystem), key, recordType: 'esb.canonical.OrderReversal', value: reversal, headers: { 'esb.legal-entity': from?.id ?? '' } });
      decision.movedFrom = from?.id ?? before.legalEntityId;
    }
    if (!before || before.legalEntityId !== entity.canonicalId || before.tradeSystem !== entity.tradeSystem) {
      const state: OrderRoute = {
        orderId,
        orderNumber: (v.number as string | undefined) ?? null,
        originSystem: origin.system,
        originKind: origin.kind,
        legalEntityId: entity.canonicalId,
        tradeSystem: entity.tradeSystem,
        updatedAt: v.meta.occurredAt,
      };
      orders.stage(state);
      records.push({ topic: ORDER_STATE_TOPIC, key: orderId, recordType: ORDER_ROUTE, value: state });
    }
  }
  return { records, decision };
}
