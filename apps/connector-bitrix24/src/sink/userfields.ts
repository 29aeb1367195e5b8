// Start-up: the custom fields the sink writes exist on the portal. Missing ones are created with
// crm.deal.userfield.add / crm.company.userfield.add; the API wants FIELD_NAME without the UF_CRM_ prefix (it always
// adds it, reference §6.2). Existing fields are never changed, whatever their type: a person may have made them.
import type { Bitrix24Client } from '@esb/bitrix24-client';
import type { Connector } from '@esb/connector-kit';
import { AUTH_CONNECTOR, b24Config, type FieldPurpose } from '../config.ts';
import type { UfEntity } from './portal.ts';

export interface FieldSpec {
  entity: UfEntity;
  type: 'string' | 'url' | 'money' | 'date' | 'enumeration';
  label: string;
  list?: Array<{ VALUE: string; XML_ID: string; SORT: number }>;
}

/** What each purpose needs on the portal. */
export const FIELD_SPECS: Record<FieldPurpose, FieldSpec> = {
  onecOrderId: { entity: 'deal', type: 'string', label: 'ID заказа в 1С' },
  onecOrderNumber: { entity: 'deal', type: 'string', label: 'Номер заказа в 1С' },
  invoiceNumber: { entity: 'deal', type: 'string', label: 'Номер счёта' },
  invoiceUrl: { entity: 'deal', type: 'url', label: 'Счёт (PDF)' },
  paymentStatus: {
    entity: 'deal',
    type: 'enumeration',
    label: 'Статус оплаты',
    list: [
      { VALUE: 'Оплачено', XML_ID: 'PAID', SORT: 10 },
      { VALUE: 'Оплачено частично', XML_ID: 'PARTIAL', SORT: 20 },
      { VALUE: 'Не оплачено', XML_ID: 'UNPAID', SORT: 30 },
    ],
  },
  amountPaid: { entity: 'deal', type: 'money', label: 'Оплачено' },
  paymentDate: { entity: 'deal', type: 'date', label: 'Дата оплаты' },
  balance: { entity: 'deal', type: 'money', label: 'Остаток к оплате' },
  shipmentDate: { entity: 'deal', type: 'date', label: 'Дата отгрузки' },
  trackingNumber: { entity: 'deal', type: 'string', label: 'Трек-номер' },
  debt: { entity: 'company', type: 'money', label: 'Задолженность' },
};

/** The FIELD_NAME the add method wants: without UF_CRM_ (the portal puts it back). */
export function fieldCode(name: string): string {
  return name.replace(/^UF_CRM_/, '');
}

export async function ensureUserFields(c: Connector, client: Bitrix24Client): Promise<void> {
  const { fields } = b24Config(c);
  const existing = new Map<UfEntity, Set<string>>();
  for (const entity of ['deal', 'company'] as const) {
    const list = await client.call<Array<{ FIELD_NAME?: string }>>(`crm.${entity}.userfield.list`, { order: { ID: 'ASC' } });
    existing.set(entity, new Set((Array.isArray(list) ? list : []).map((u) => String(u.FIELD_NAME))));
  }
  for (const [purpose, spec] of Object.entries(FIELD_SPECS) as Array<[FieldPurpose, FieldSpec]>) {
    const name = fields[purpose];
    if (existing.get(spec.entity)?.has(name)) continue;
    const t0 = performance.now();
    const id = await client.call<number>(`crm.${spec.entity}.userfield.add`, {
      fields: {
        FIELD_NAME: fieldCode(name),
        USER_TYPE_ID: spec.type,
        XML_ID: `esb_${purpose}`,
        LABEL: spec.label,
        EDIT_FORM_LABEL: spec.label,
        LIST_COLUMN_LABEL: spec.label,
        LIST_FILTER_LABEL: spec.label,
        SHOW_FILTER: 'Y',
        ...(spec.list ? { LIST: spec.list } : {}),
      },
      auth_connector: AUTH_CONNECTOR,
    });
    existing.get(spec.entity)?.add(name);
    c.logger.info('custom field created', { entity: spec.entity, field: name, purpose, id });
    await c.log({ direction: 'out', operation: `crm.${spec.entity}.userfield.add`, status: 'ok', businessKeys: { field: name, purpose }, latencyMs: performance.now() - t0 });
  }
}
