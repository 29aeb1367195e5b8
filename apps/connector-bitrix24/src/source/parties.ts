// Companies, contacts and their requisites → Counterparty events (F5). A company is read with its requisites and
// contact persons in one batch; a contact of a company republishes that company (its contact persons changed); a
// free contact is an individual; a requisite edit republishes its owner. Unchanged content publishes nothing.
import type { StoreTx } from '@esb/store';
import { companyToCounterparty, contactToCounterparty, isSkip, partyExternalId, type B24Record, type CounterpartyBody } from '../mapping/counterparty-in.ts';
import { idOf, instant, text } from '../mapping/form.ts';
import { CONTACT_SELECT, isNotFound, isRecord, part, records, type SourceCtx } from './context.ts';
import { lockObject, publishIfChanged, type PublishResult } from './state.ts';

export const COUNTERPARTY = 'esb.canonical.Counterparty';

/** Publishes a counterparty built from `objectKey` (company:9, contact:3) unless unchanged; logs either way. */
export async function publishCounterparty(
  s: SourceCtx,
  tx: StoreTx,
  owner: { kind: 'company' | 'contact'; id: string },
  body: CounterpartyBody,
  occurredAt: string | null,
  via: string,
): Promise<PublishResult> {
  const objectKey = `${owner.kind}:${owner.id}`;
  const r = await publishIfChanged(s.c, tx, { recordType: COUNTERPARTY, objectKey, body, key: body.counterpartyId, externalId: partyExternalId(owner.kind, owner.id), occurredAt });
  await s.c.log(
    {
      direction: 'in',
      operation: `publish Counterparty (${via})`,
      status: r.published ? 'ok' : 'duplicate',
      recordType: COUNTERPARTY,
      eventId: r.eventId,
      businessKeys: { [owner.kind]: owner.id, counterparty: body.counterpartyId, ...(body.inn ? { inn: body.inn } : {}) },
      ...(r.published ? {} : { details: { reason: `${objectKey} maps to the counterparty published as version ${r.seq}` } }),
    },
    tx,
  );
  return r;
}

async function skipped(s: SourceCtx, tx: StoreTx, operation: string, keys: Record<string, string>, reason: string): Promise<void> {
  await s.c.log({ direction: 'in', operation, status: 'skipped', businessKeys: keys, details: { reason } }, tx);
}

/** A company with its requisites and contact persons, in one batch; undefined when it no longer exists. */
async function readCompany(s: SourceCtx, id: string): Promise<{ company: B24Record; requisites: B24Record[]; contacts: B24Record[] } | undefined> {
  const client = await s.client();
  const b = await client.batch({
    co: { method: 'crm.company.get', params: { id } },
    rq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: id } } },
    ct: { method: 'crm.contact.list', params: { filter: { COMPANY_ID: id }, select: CONTACT_SELECT } },
  });
  const co = b.errors.co;
  if (co) {
    if (isNotFound(co)) return undefined;
    throw co;
  }
  const company = part(b, 'co');
  if (!isRecord(company)) return undefined;
  return { company, requisites: records(part(b, 'rq')), contacts: records(part(b, 'ct')) };
}

export async function processCompany(s: SourceCtx, tx: StoreTx, id: string, via: string): Promise<void> {
  await lockObject(tx, s.c.systemId, `company:${id}`);
  const input = await readCompany(s, id);
  if (!input) return skipped(s, tx, `read company (${via})`, { company: id }, `company ${id} no longer exists in the portal`);
  const cp = companyToCounterparty(input);
  if (isSkip(cp)) return skipped(s, tx, `read company (${via})`, { company: id }, cp.message);
  await publishCounterparty(s, tx, { kind: 'company', id }, cp, instant(input.company.DATE_MODIFY), via);
}

export async function processContact(s: SourceCtx, tx: StoreTx, id: string, via: string): Promise<void> {
  await lockObject(tx, s.c.systemId, `contact:${id}`);
  const client = await s.client();
  const b = await client.batch({
    ct: { method: 'crm.contact.get', params: { id } },
    rq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 3, ENTITY_ID: id } } },
  });
  if (b.errors.ct) {
    if (isNotFound(b.errors.ct)) return skipped(s, tx, `read contact (${via})`, { contact: id }, `contact ${id} no longer exists in the portal`);
    throw b.errors.ct;
  }
  const contact = part(b, 'ct');
  if (!isRecord(contact)) return skipped(s, tx, `read contact (${via})`, { contact: id }, `contact ${id}: the portal returned no record`);
  // A contact person of a company is not a customer of its own: its company's counterparty carries it.
  const companyId = idOf(contact.COMPANY_ID);
  if (companyId) return processCompany(s, tx, companyId, `${via}, contact ${id} of company ${companyId}`);
  const cp = contactToCounterparty({ contact, requisites: records(part(b, 'rq')) });
  if (isSkip(cp)) return skipped(s, tx, `read contact (${via})`, { contact: id }, cp.message);
  await publishCounterparty(s, tx, { kind: 'contact', id }, cp, instant(contact.DATE_MODIFY), via);
}

/** A requisite changed: its owner (company or contact) is republished with it. */
export async function processRequisite(s: SourceCtx, tx: StoreTx, id: string, via: string): Promise<void> {
  const client = await s.client();
  let rq: unknown;
  try {
    rq = await client.call('crm.requisite.get', { id });
  } catch (e) {
    if (isNotFound(e)) return skipped(s, tx, `read requisite (${via})`, { requisite: id }, `requisite ${id} no longer exists in the portal`);
    throw e;
  }
  const owner = isRecord(rq) ? idOf(rq.ENTITY_ID) : null;
  const type = isRecord(rq) ? text(rq.ENTITY_TYPE_ID) : '';
  if (owner && type === '4') return processCompany(s, tx, owner, `${via}, requisite ${id}`);
  if (owner && type === '3') return processContact(s, tx, owner, `${via}, requisite ${id}`);
  return skipped(s, tx, `read requisite (${via})`, { requisite: id }, `requisite ${id} belongs to entity type ${type || '?'}, not a company or contact`);
}
