// What the sale component does with 1C's order documents (mode=file + mode=import, or `file` alone in the old
// protocol), after CSaleOrderLoader for «Заказ товара» documents: find the site order (by Номер as ID, then ID_1C,
// then ACCOUNT_NUMBER; then by Ид as ID_1C), then apply 1C's requisites — payment date marks it paid (which fires
// OnSaleOrderPaid), shipment date allows delivery and sets the final status, «Статуса заказа ИД» sets the status,
// «Отменен» cancels. Changes made here set UPDATED_1C=Y, so the order does not bounce back in the next query.
import type { SiteContext } from '../sale/context.ts';
import type { Order } from '../sale/model.ts';
import { propsOf, setCanceled, setPaid, setPropertyValues, setShipped, setStatus, touch } from '../sale/orders.ts';
import { SALE, fill } from './messages.ts';
import { child, field, nodes, requisites, type XmlNode } from './xml.ts';

export interface SaleImportResult {
  /** Appended right after `success`, each message on its own line (Bitrix's strError). */
  errors: string;
  documents: number;
  updated: number[];
}

function findOrder(ctx: SiteContext, number: string, xmlId: string): Order | undefined {
  const orders = ctx.state.orders;
  if (number) {
    const byId = /^\d+$/.test(number) ? orders.find((o) => o.id === Number(number)) : undefined;
    const found = byId ?? orders.find((o) => o.id1c === number) ?? orders.find((o) => o.accountNumber === number);
    if (found) return found;
  }
  return xmlId ? orders.filter((o) => o.id1c === xmlId).sort((a, b) => b.id - a.id)[0] : undefined;
}

/** `2024-03-01T10:00:00` or `2024-03-01 10:00:00` in site time → epoch ms (falls back to now). */
function parseSiteDate(ctx: SiteContext, v: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(v.trim());
  if (!m) return ctx.clock.now();
  const guess = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  const offset = ctx.clock.offsetOf(guess);
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h = '0', mm = '0'] = offset.slice(1).split(':');
  return guess - sign * (Number(h) * 60 + Number(mm)) * 60000;
}

export async function importOrderDocuments(ctx: SiteContext, root: XmlNode): Promise<SaleImportResult> {
  const { state } = ctx;
  const result: SaleImportResult = { errors: '', documents: 0, updated: [] };
  const docs = [...nodes(root['Документ']), ...nodes(child(root, 'Контейнер')?.['Документ'])];
  for (const doc of docs) {
    if (field(doc, 'ХозОперация') !== 'Заказ товара') continue;
    result.documents++;
    const number = field(doc, 'Номер');
    const xmlId = field(doc, 'Ид');
    const order = findOrder(ctx, number, xmlId);
    if (!order) {
      result.errors += '\n' + fill(SALE.ORDER_NOT_FOUND, { ID: number || xmlId });
      continue;
    }
    const traits = new Map(requisites(doc).map((r) => [r.name, r.value]));
    const version = traits.get('НомерВерсии') ?? field(doc, 'НомерВерсии');
    const before = order.version;
    if (xmlId && order.id1c !== xmlId) order.id1c = xmlId;
    if (version) order.version1c = version;

    const canceled = field(doc, 'Отменен') === 'true' || traits.get('Отменен') === 'true' || traits.get('ПометкаУдаления') === 'true';
    setCanceled(ctx, order, canceled, field(doc, 'Комментарий'), true);

    const paidDate = traits.get('Дата оплаты по 1С') ?? '';
    if (paidDate && order.payed !== 'Y') {
      await setPaid(ctx, order, { paid: true, voucherNum: traits.get('Номер оплаты по 1С') ?? '', date: parseSiteDate(ctx, paidDate), by1C: true });
    }
    const shipDate = traits.get('Дата отгрузки по 1С') ?? '';
    if (shipDate) {
      const tracking = traits.get('Идентификатор отправления');
      setShipped(ctx, order, { docNum: traits.get('Номер отгрузки по 1С') ?? '', date: parseSiteDate(ctx, shipDate), ...(tracking !== undefined ? { tracking } : {}) });
    }
    const status = traits.get('Статуса заказа ИД') ?? '';
    if (state.settings.changeStatusFrom1C && status && status !== order.statusId && state.statuses.some((s) => s.id === status && s.type === 'O')) {
      setStatus(ctx, order, status, { by1C: true });
    }
    if (state.settings.importPropertiesFrom1C) {
      const props = propsOf(state, order.personTypeId);
      const values = [...traits]
        .map(([name, value]) => ({ prop: props.find((p) => p.code === name || p.name === name), value }))
        .filter((x): x is { prop: NonNullable<typeof x.prop>; value: string } => x.prop !== undefined)
        .map((x) => ({ orderPropsId: x.prop.id, value: x.value }));
      if (values.length) setPropertyValues(ctx, order, values, false, true);
    }
    // Even a document that changed nothing is a save by 1C: the order stops being «new for 1C».
    if (order.version === before) touch(ctx, order, true);
    else order.updated1c = 'Y';
    result.updated.push(order.id);
  }
  return result;
}
