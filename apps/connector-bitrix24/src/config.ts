// This deployment's slice of the topology (architecture §8): its portal entry, the legal entities whose funnels
// live on it, the custom fields by purpose, and the stage / price mappings. Read per use, so a reload applies to
// the next event without a restart.
import type { Connector, SystemOf } from '@esb/connector-kit';
import type { LegalEntity } from '@esb/config';

/** Custom deal / company fields the connector writes, by purpose; config `fields:` overrides the names. */
export const DEFAULT_FIELDS = {
  onecOrderId: 'UF_CRM_1C_ORDER_ID',
  onecOrderNumber: 'UF_CRM_1C_ORDER_NUMBER',
  invoiceNumber: 'UF_CRM_INVOICE_NUMBER',
  invoiceUrl: 'UF_CRM_INVOICE_URL',
  paymentStatus: 'UF_CRM_PAYMENT_STATUS',
  amountPaid: 'UF_CRM_AMOUNT_PAID',
  paymentDate: 'UF_CRM_PAYMENT_DATE',
  balance: 'UF_CRM_BALANCE',
  shipmentDate: 'UF_CRM_SHIPMENT_DATE',
  trackingNumber: 'UF_CRM_TRACKING_NUMBER',
  debt: 'UF_CRM_DEBT',
} as const;
export type FieldPurpose = keyof typeof DEFAULT_FIELDS;

/**
 * The `auth_connector` every write of the bus carries (architecture §4: writes are tagged). The portal keeps changes
 * made with it out of the offline-event queue bound with the same value, so the source side never reads our echo.
 */
export const AUTH_CONNECTOR = 'esb';

export interface B24Config {
  systemId: string;
  system: SystemOf<'bitrix24'>;
  /** Legal entities with a deal funnel on this portal. */
  entities: LegalEntity[];
  fields: Record<FieldPurpose, string> & Record<string, string>;
  /** Funnel (CATEGORY_ID) → the stage at which a deal becomes an order. */
  triggerStages: Map<string, string>;
  /** Funnel → payment status → deal stage. */
  paymentStages: Record<string, Partial<Record<'PAID' | 'PARTIAL' | 'UNPAID', string>>>;
  /** Funnel → the stage a deal closes at when its EDO document is signed. */
  edoSignedStages: Record<string, string>;
  /** 1C price type name → portal price type (catalog group) code. */
  priceTypes: Record<string, string>;
}

export function b24Config(c: Connector): B24Config {
  const system = c.system('bitrix24');
  const t = c.topology;
  const entities = t.legalEntities.filter((e) => e.portal?.system === c.systemId);
  return {
    systemId: c.systemId,
    system,
    entities,
    fields: { ...DEFAULT_FIELDS, ...system.fields },
    triggerStages: new Map(entities.flatMap((e) => (e.portal ? [[String(e.portal.categoryId), e.portal.triggerStage] as const] : []))),
    paymentStages: t.mappings.paymentStatusToDealStage,
    edoSignedStages: t.mappings.edoSignedDealStage,
    priceTypes: t.mappings.priceTypes,
  };
}
