// Invoices made in the CRM → Invoice (F2), both kinds a portal may use: smart invoices (crm.item.*, entityTypeId 31,
// events ONCRMDYNAMICITEM* with ENTITY_TYPE_ID=31) and old invoices (crm.invoice.*, ONCRMINVOICE*). Each is read in
// one batch with its payer's company/contact and requisites and our own company's requisites (the seller).
// Invoices the bus itself put into the portal (1C invoices mirrored by the sink) are not published back: they are
// recognised by the xref the sink records or by the canonical id it writes into xmlId / XML_ID.
import type { BatchCommand } from '@esb/bitrix24-client';
import type { StoreTx } from '@esb/store';
import type { B24Record, CounterpartyBody } from '../mapping/counterparty-in.ts';
import { documentBuyer, sellerFromOwnCompany } from '../mapping/deal.ts';
import { idOf, instant, text } from '../mapping/form.ts';
import { oldInvoiceExternalId, oldInvoiceToInvoice, smartInvoiceExternalId, smartInvoiceToInvoice, type InvoiceBody } from '../mapping/invoice-in.ts';
import { EsbError } from '@esb/bus';
import { documentId } from '@esb/canonical';
import { CONTACT_SELECT, isNotFound, isRecord, part, records, ref, sellerEntities, type SourceCtx } from './context.ts';
import { lockObject, publishIfChanged } from './state.ts';
import { SMART_INVOICE_TYPE } from './events.ts';

export const INVOICE = 'esb.canonical.Invoice';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Fields {
  company: string;
  contact: string;
  myCompany: string;
}

/** The payer and own-company reads, referring to the invoice read as `i` (its field names differ per kind). */
function partyCommands(path: string[], f: Fields): Record<string, BatchCommand> {
  return {
    co: { method: 'crm.company.get', params: { id: ref('i', ...path, f.company) } },
    corq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: ref('i', ...path, f.company) } } },
    coct: { method: 'crm.contact.list', params: { filter: { COMPANY_ID: ref('i', ...path, f.company) }, select: CONTACT_SELECT } },
    ct: { method: 'crm.contact.get', params: { id: ref('i', ...path, f.contact) } },
    ctrq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 3, ENTITY_ID: ref('i', ...path, f.contact) } } },
    mcrq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: ref('i', ...path, f.myCompany) } } },
  };
}

/**
 * The payer: when the invoice names a company or contact it must be keyable, except that an invoice of a deal may
 * leave it to the order (a company without requisites → buyer null); a wrong INN is always an error to fix.
 */
function buyerOf(where: string, inv: B24Record, f: Fields, b: Parameters<typeof part>[0], hasOrder: boolean): CounterpartyBody | null {
  if (!idOf(inv[f.company]) && !idOf(inv[f.contact])) return null;
  try {
    return documentBuyer(where, inv[f.company], inv[f.contact], {
      company: isRecord(part(b, 'co')) ? (part(b, 'co') as B24Record) : undefined,
      companyRequisites: records(part(b, 'corq')),
      companyContacts: records(part(b, 'coct')),
      contact: isRecord(part(b, 'ct')) ? (part(b, 'ct') as B24Record) : undefined,
      contactRequisites: records(part(b, 'ctrq')),
    });
  } catch (e) {
    if (hasOrder && e instanceof EsbError && /no active requisite|no valid one/.test(e.message)) return null;
    throw e;
  }
}

/** An invoice that came from another system through the bus (mirrored by the sink) — not ours to publish. */
async function bornElsewhere(s: SourceCtx, tx: StoreTx, id: string, externalId: string, xmlId: string): Promise<string | undefined> {
  const own = documentId('invoice', s.c.systemId, externalId);
  for (const ext of [externalId, id]) {
    const x = await tx.xrefByExternal('invoice', s.c.systemId, ext);
    if (x && x.canonicalId !== own) return `the bus created it from invoice ${x.canonicalId} (xref ${ext})`;
  }
  if (UUID.test(xmlId) && xmlId.toLowerCase() !== own) return `its external id ${xmlId} is the canonical id of an invoice from another system`;
  return undefined;
}

async function publishInvoice(s: SourceCtx, tx: StoreTx, kind: 'smart-invoice' | 'invoice', id: string, body: InvoiceBody, occurredAt: string | null, via: string): Promise<void> {
  const externalId = kind === 'smart-invoice' ? smartInvoiceExternalId(id) : oldInvoiceExternalId(id);
  const r = await publishIfChanged(s.c, tx, { recordType: INVOICE, objectKey: `${kind}:${id}`, body, key: body.invoiceId, externalId, occurredAt });
  await s.c.log(
    {
      direction: 'in',
      operation: `publish Invoice (${via})`,
      status: r.published ? 'ok' : 'duplicate',
      recordType: INVOICE,
      eventId: r.eventId,
      businessKeys: { [kind]: id, invoice: body.number, ...(body.orderId ? { order: body.orderId } : {}), ...(body.buyer?.inn ? { inn: body.buyer.inn } : {}) },
      ...(r.published ? { details: { version: r.seq, status: body.status, amount: body.amount } } : { details: { reason: `${kind} ${id} maps to the Invoice published as version ${r.seq}` } }),
    },
    tx,
  );
}

function skipper(s: SourceCtx, tx: StoreTx, kind: string, id: string, via: string) {
  return (reason: string) => s.c.log({ direction: 'in', operation: `read ${kind} (${via})`, status: 'skipped', businessKeys: { [kind]: id }, details: { reason } }, tx);
}

/** How each of the portal's two invoice APIs is read: the method, where its record sits, its field names. */
interface InvoiceApi {
  kind: 'smart-invoice' | 'invoice';
  what: string;
  fields: Fields;
  /** partyCommands' path from the batch result to the record. */
  path: string[];
  get: (id: string) => { method: string; params: Record<string, unknown> };
  record: (got: unknown) => Record<string, unknown> | undefined;
  externalId: (id: string) => string;
  xmlId: string;
  deal: string;
  myCompany: string;
  updated: string;
  toInvoice: typeof smartInvoiceToInvoice;
}

const SMART_API: InvoiceApi = {
  kind: 'smart-invoice',
  what: 'smart invoice',
  fields: { company: 'companyId', contact: 'contactId', myCompany: 'mycompanyId' },
  path: ['item'],
  get: (id) => ({ method: 'crm.item.get', params: { entityTypeId: SMART_INVOICE_TYPE, id } }),
  record: (got) => (isRecord(got) && isRecord(got.item) ? got.item : undefined),
  externalId: smartInvoiceExternalId,
  xmlId: 'xmlId',
  deal: 'parentId2',
  myCompany: 'mycompanyId',
  updated: 'updatedTime',
  toInvoice: smartInvoiceToInvoice,
};

const OLD_API: InvoiceApi = {
  kind: 'invoice',
  what: 'invoice',
  fields: { company: 'UF_COMPANY_ID', contact: 'UF_CONTACT_ID', myCompany: 'UF_MYCOMPANY_ID' },
  path: [],
  get: (id) => ({ method: 'crm.invoice.get', params: { id } }),
  record: (got) => (isRecord(got) ? got : undefined),
  externalId: oldInvoiceExternalId,
  xmlId: 'XML_ID',
  deal: 'UF_DEAL_ID',
  myCompany: 'UF_MYCOMPANY_ID',
  updated: 'DATE_UPDATE',
  toInvoice: oldInvoiceToInvoice,
};

async function processInvoice(api: InvoiceApi, s: SourceCtx, tx: StoreTx, id: string, via: string): Promise<void> {
  await lockObject(tx, s.c.systemId, `${api.kind}:${id}`);
  const skip = skipper(s, tx, api.kind, id, via);
  const client = await s.client();
  const b = await client.batch({ i: api.get(id), ...partyCommands(api.path, api.fields) });
  const where = `${api.what} ${id}`;
  if (b.errors.i) {
    if (isNotFound(b.errors.i)) return skip(`${where} no longer exists in the portal`);
    throw b.errors.i;
  }
  const rec = api.record(part(b, 'i'));
  if (!rec) return skip(`${where}: the portal returned no record`);
  const echo = await bornElsewhere(s, tx, id, api.externalId(id), text(rec[api.xmlId]));
  if (echo) return skip(`${where}: ${echo}`);
  const body = api.toInvoice({
    systemId: s.c.systemId,
    invoice: rec,
    buyer: buyerOf(where, rec, api.fields, b, idOf(rec[api.deal]) !== null),
    sellerLegalEntityId: sellerFromOwnCompany(rec[api.myCompany], records(part(b, 'mcrq')), sellerEntities(s.c)),
  });
  await publishInvoice(s, tx, api.kind, id, body, instant(rec[api.updated]), via);
}

export const processSmartInvoice = (s: SourceCtx, tx: StoreTx, id: string, via: string): Promise<void> => processInvoice(SMART_API, s, tx, id, via);
export const processOldInvoice = (s: SourceCtx, tx: StoreTx, id: string, via: string): Promise<void> => processInvoice(OLD_API, s, tx, id, via);
