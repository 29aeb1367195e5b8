// Counterparties from 1C (F5) and their debt (F7): companies with requisites, found by RQ_INN + RQ_KPP before
// anything is created; individuals as contacts, found by phone or e-mail (crm.duplicate.findbycomm); phones and
// e-mails merged by value ID. The debt goes to the company card, found through the xref or, for a company the bus
// never wrote, through a lookup table of legalCounterpartyId(RQ_INN, RQ_KPP) over the portal's requisites.
import { legalCounterpartyId, type Counterparty, type Debt } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import type { StoreTx } from '@esb/store';
import { b24Config } from '../config.ts';
import {
  PRESET_XML_ID,
  ORIGINATOR,
  changedFields,
  companyFields,
  contactName,
  counterpartyProblem,
  emailsPatch,
  newCompanyFields,
  newContactFields,
  phonesPatch,
  phoneSpellings,
  requisiteFields,
  requisiteKey,
  type MultiValue,
} from '../mapping/counterparty-out.ts';
import { debtToCompany, mergeDebt, type DebtEntry } from '../mapping/debt.ts';
import { invalid, refOf, rethrow, trace, type RecordRef } from './context.ts';
import { diffFields } from './fields.ts';
import { putXref } from './orders.ts';
import { isMethodMissing, isNotFound, type Portal } from './portal.ts';

const REQUISITE_SCAN = 'sink:requisite-scan:max-id';

interface Requisite {
  ID: string;
  ENTITY_TYPE_ID?: string;
  ENTITY_ID?: string;
  RQ_INN?: string | null;
  RQ_KPP?: string | null;
  [k: string]: unknown;
}

type CrmRecord = Record<string, unknown> & { PHONE?: MultiValue[]; EMAIL?: MultiValue[] };

/** The CRM binding of a counterparty in the xref: `CO_<company>/RQ_<requisite>` or `C_<contact>`. */
export function bindingOf(externalId: string): { company?: number; requisite?: number; contact?: number } {
  const co = /^CO_(\d+)(?:\/RQ_(\d+))?$/.exec(externalId);
  if (co) return { company: Number(co[1]), ...(co[2] ? { requisite: Number(co[2]) } : {}) };
  const c = /^C_(\d+)$/.exec(externalId);
  return c ? { contact: Number(c[1]) } : {};
}

export class CounterpartyEffects {
  private findByComm = true;

  constructor(
    private readonly c: Connector,
    private readonly portal: Portal,
  ) {}

  async counterparty(cp: Counterparty, tx: StoreTx): Promise<void> {
    const ref = refOf('Counterparty', cp.meta, `Counterparty ${cp.name} (${cp.kind}${cp.inn ? `, INN ${cp.inn}${cp.kpp ? `/${cp.kpp}` : ''}` : ''}, ${cp.counterpartyId})`, tx);
    const keys = { counterparty: cp.counterpartyId, ...(cp.inn ? { inn: cp.inn } : {}), ...(cp.kpp ? { kpp: cp.kpp } : {}) };
    if (cp.meta.source.system === this.c.systemId) {
      await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: `the record was published by ${this.c.systemId} itself` } });
      return;
    }
    const problem = counterpartyProblem(cp);
    if (problem) throw invalid(this.c, ref, `${problem}; fix the counterparty in ${cp.meta.source.system} and publish it again`, cp.inn ?? cp.counterpartyId);
    if (cp.deleted) {
      // Sinks deactivate, never delete; CRM companies and contacts have no "inactive" state, so they stay as they are.
      await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: 'marked for deletion in 1C; the CRM record is kept' } });
      return;
    }
    try {
      if (cp.kind === 'INDIVIDUAL') await this.contact(ref, cp, keys);
      else await this.company(ref, cp, keys);
    } catch (e) {
      rethrow(this.c, ref, 'writing it to the CRM', e, cp.inn ?? cp.counterpartyId);
    }
  }

  // ---- companies -------------------------------------------------------------------------------------------------

  private async company(ref: RecordRef, cp: Counterparty, keys: Record<string, string>): Promise<void> {
    const sys = this.c.systemId;
    const found = await this.findCompany(ref, cp);
    const presetXml = PRESET_XML_ID[cp.kind as 'LEGAL_ENTITY' | 'SOLE_PROPRIETOR'];
    const preset = await this.portal.presetId(presetXml);
    if (preset === undefined) throw invalid(this.c, ref, `portal ${sys} has no requisite preset ${presetXml}; create it (CRM settings → requisites) and replay`);
    const rq = requisiteFields(cp);
    if (!found) {
      // One call: the company and its requisite, the requisite pointing at the company just created.
      const t0 = performance.now();
      const phones = phonesPatch([], cp.phones);
      const emails = emailsPatch([], cp.emails);
      const res = await this.portal.writeBatch(
        {
          company: { method: 'crm.company.add', params: { fields: { ...newCompanyFields(cp), ...(phones.length ? { PHONE: phones } : {}), ...(emails.length ? { EMAIL: emails } : {}) }, params: { REGISTER_SONET_EVENT: 'N' } } },
          requisite: { method: 'crm.requisite.add', params: { fields: { ...rq, ENTITY_TYPE_ID: 4, ENTITY_ID: '$result[company]', PRESET_ID: preset } } },
        },
        { halt: true },
      );
      const err = res.errors.company ?? res.errors.requisite;
      if (err) throw err;
      const companyId = Number(res.result.company);
      const requisiteId = Number(res.result.requisite);
      await trace(this.c, ref, 'crm.company.add', 'ok', { ...keys, company: String(companyId), requisite: String(requisiteId) }, { latencyMs: performance.now() - t0 });
      await putXref(ref.tx, { entityType: 'counterparty', canonicalId: cp.counterpartyId, systemId: sys, externalId: `CO_${companyId}/RQ_${requisiteId}`, number: cp.inn });
      return;
    }
    const companyId = found.company;
    const ckeys = { ...keys, company: String(companyId) };
    const cur = await this.portal.call<CrmRecord>('crm.company.get', { id: companyId });
    const fields: Record<string, unknown> = changedFields(cur, companyFields(cp));
    const phones = phonesPatch(cur.PHONE ?? [], cp.phones);
    const emails = emailsPatch(cur.EMAIL ?? [], cp.emails);
    if (phones.length) fields.PHONE = phones;
    if (emails.length) fields.EMAIL = emails;
    await this.update(ref, 'crm.company.update', companyId, fields, ckeys);

    let requisiteId = found.requisite;
    const rqList = await this.portal.call<Requisite[]>('crm.requisite.list', { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: companyId, ...requisiteKey(cp) }, select: ['*'] });
    const current = (Array.isArray(rqList) ? rqList : []).find((r) => requisiteId === undefined || Number(r.ID) === requisiteId) ?? (Array.isArray(rqList) ? rqList[0] : undefined);
    if (current) {
      requisiteId = Number(current.ID);
      await this.update(ref, 'crm.requisite.update', requisiteId, changedFields(current, rq), { ...ckeys, requisite: String(requisiteId) });
    } else {
      const t0 = performance.now();
      requisiteId = await this.portal.write<number>('crm.requisite.add', { fields: { ...rq, ENTITY_TYPE_ID: 4, ENTITY_ID: companyId, PRESET_ID: preset } });
      await trace(this.c, ref, 'crm.requisite.add', 'ok', { ...ckeys, requisite: String(requisiteId) }, { latencyMs: performance.now() - t0 });
    }
    await putXref(ref.tx, { entityType: 'counterparty', canonicalId: cp.counterpartyId, systemId: sys, externalId: `CO_${companyId}/RQ_${requisiteId}`, number: cp.inn });
  }

  /** The company: xref, else a requisite with this RQ_INN + RQ_KPP, else one the bus created (ORIGIN_ID). */
  private async findCompany(ref: RecordRef, cp: Counterparty): Promise<{ company: number; requisite?: number } | undefined> {
    const x = await ref.tx.xrefByCanonical('counterparty', cp.counterpartyId, this.c.systemId);
    const b = x ? bindingOf(x.externalId) : {};
    if (b.company !== undefined) {
      try {
        await this.portal.call('crm.company.get', { id: b.company });
        return { company: b.company, ...(b.requisite !== undefined ? { requisite: b.requisite } : {}) };
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const rq = await this.portal.call<Requisite[]>('crm.requisite.list', { filter: { ENTITY_TYPE_ID: 4, ...requisiteKey(cp) }, select: ['ID', 'ENTITY_ID'], order: { ID: 'ASC' } });
    const r = (Array.isArray(rq) ? rq : [])[0];
    if (r) return { company: Number(r.ENTITY_ID), requisite: Number(r.ID) };
    // Created by an earlier attempt whose requisite never got written (the batch halted, or we crashed).
    const own = await this.portal.call<Array<{ ID: string }>>('crm.company.list', { filter: { ORIGINATOR_ID: ORIGINATOR, ORIGIN_ID: cp.counterpartyId }, select: ['ID'], order: { ID: 'ASC' } });
    const o = (Array.isArray(own) ? own : [])[0];
    return o ? { company: Number(o.ID) } : undefined;
  }

  // ---- contacts --------------------------------------------------------------------------------------------------

  private async contact(ref: RecordRef, cp: Counterparty, keys: Record<string, string>): Promise<void> {
    const sys = this.c.systemId;
    let id = await this.findContact(ref, cp);
    if (id === undefined) {
      const t0 = performance.now();
      const phones = phonesPatch([], cp.phones);
      const emails = emailsPatch([], cp.emails);
      id = await this.portal.write<number>('crm.contact.add', { fields: { ...newContactFields(cp), ...(phones.length ? { PHONE: phones } : {}), ...(emails.length ? { EMAIL: emails } : {}) }, params: { REGISTER_SONET_EVENT: 'N' } });
      await trace(this.c, ref, 'crm.contact.add', 'ok', { ...keys, contact: String(id) }, { latencyMs: performance.now() - t0 });
    } else {
      const cur = await this.portal.call<CrmRecord>('crm.contact.get', { id });
      const fields: Record<string, unknown> = changedFields(cur, contactName(cp.name));
      const phones = phonesPatch(cur.PHONE ?? [], cp.phones);
      const emails = emailsPatch(cur.EMAIL ?? [], cp.emails);
      if (phones.length) fields.PHONE = phones;
      if (emails.length) fields.EMAIL = emails;
      await this.update(ref, 'crm.contact.update', id, fields, { ...keys, contact: String(id) });
    }
    await putXref(ref.tx, { entityType: 'counterparty', canonicalId: cp.counterpartyId, systemId: sys, externalId: `C_${id}` });
  }

  /** The contact: xref, else one with any of the phones or e-mails, else one the bus created (ORIGIN_ID). */
  private async findContact(ref: RecordRef, cp: Counterparty): Promise<number | undefined> {
    const x = await ref.tx.xrefByCanonical('counterparty', cp.counterpartyId, this.c.systemId);
    const b = x ? bindingOf(x.externalId) : {};
    if (b.contact !== undefined) {
      try {
        await this.portal.call('crm.contact.get', { id: b.contact });
        return b.contact;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    for (const [type, values] of [['PHONE', cp.phones.map((p) => p.number)], ['EMAIL', cp.emails.map((e) => e.address)]] as const) {
      if (values.length === 0) continue;
      const ids = await this.contactsByComm(type, values);
      if (ids.length) return Math.min(...ids);
    }
    const own = await this.portal.call<Array<{ ID: string }>>('crm.contact.list', { filter: { ORIGINATOR_ID: ORIGINATOR, ORIGIN_ID: cp.counterpartyId }, select: ['ID'], order: { ID: 'ASC' } });
    const o = (Array.isArray(own) ? own : [])[0];
    return o ? Number(o.ID) : undefined;
  }

  /** crm.duplicate.findbycomm (normalises numbers portal-side); a plain list filter where the method is missing. */
  private async contactsByComm(type: 'PHONE' | 'EMAIL', values: string[]): Promise<number[]> {
    if (this.findByComm) {
      try {
        const r = await this.portal.call<{ CONTACT?: Array<number | string> } | unknown[]>('crm.duplicate.findbycomm', { type, values: values.slice(0, 20), entity_type: 'CONTACT' });
        return Array.isArray(r) ? [] : (r.CONTACT ?? []).map(Number);
      } catch (e) {
        if (!isMethodMissing(e)) throw e;
        this.findByComm = false;
        this.c.logger.warn('crm.duplicate.findbycomm is not available on this portal; contacts are matched by an exact PHONE / EMAIL filter', { system: this.c.systemId });
      }
    }
    const out: number[] = [];
    for (const v of values) {
      const spellings = type === 'PHONE' ? phoneSpellings(v) : [v];
      const list = await this.portal.call<Array<{ ID: string }>>('crm.contact.list', { filter: { [type]: spellings }, select: ['ID'], order: { ID: 'ASC' } });
      for (const c of Array.isArray(list) ? list : []) out.push(Number(c.ID));
    }
    return out;
  }

  private async update(ref: RecordRef, method: string, id: number, fields: Record<string, unknown>, keys: Record<string, string>): Promise<void> {
    if (Object.keys(fields).length === 0) {
      await trace(this.c, ref, method, 'skipped', keys, { details: { reason: 'the CRM already shows these values' } });
      return;
    }
    const t0 = performance.now();
    await this.portal.write(method, { id, fields, ...(method.startsWith('crm.requisite') ? {} : { params: { REGISTER_SONET_EVENT: 'N' } }) });
    await trace(this.c, ref, method, 'ok', keys, { latencyMs: performance.now() - t0, details: { fields: Object.keys(fields) } });
  }

  // ---- debt ------------------------------------------------------------------------------------------------------

  async debt(d: Debt, tx: StoreTx): Promise<void> {
    const ref = refOf('Debt', d.meta, `Debt of counterparty ${d.counterpartyId} with legal entity ${d.legalEntityId} as of ${d.asOf}`, tx);
    const keys = { counterparty: d.counterpartyId, legalEntity: d.legalEntityId };
    if (d.meta.source.system === this.c.systemId) {
      await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: `the record was published by ${this.c.systemId} itself` } });
      return;
    }
    const companyId = await this.companyOf(ref, d.counterpartyId);
    const stateKey = `sink:debt:${d.counterpartyId}`;
    const stored = await tx.cursorGet(stateKey);
    const { entries, stale } = mergeDebt(stored ? (JSON.parse(stored) as DebtEntry[]) : [], d);
    if (stale) {
      await trace(this.c, ref, 'apply', 'skipped', { ...keys, company: String(companyId) }, { details: { reason: 'a newer balance of this legal entity is already shown' } });
      return;
    }
    await tx.cursorSet(stateKey, JSON.stringify(entries));
    const field = b24Config(this.c).fields.debt;
    const ckeys = { ...keys, company: String(companyId) };
    try {
      const cur = await this.portal.call<CrmRecord>('crm.company.get', { id: companyId });
      const defs = await this.portal.fieldDefs('company', [field]);
      if (!defs[field]) throw invalid(this.c, ref, `company field ${field} does not exist on portal ${this.c.systemId}; restart the connector (it creates its fields at start-up) or fix \`fields.debt\``);
      const { fields } = diffFields(cur, debtToCompany(entries, d, field), defs);
      await this.update(ref, 'crm.company.update', companyId, fields, ckeys);
    } catch (e) {
      if (isNotFound(e)) throw invalid(this.c, ref, `company ${companyId} no longer exists on portal ${this.c.systemId}; deliver the counterparty again, then replay`, d.counterpartyId);
      rethrow(this.c, ref, `writing the debt to company ${companyId}`, e, d.counterpartyId);
    }
  }

  /** The company of a canonical counterparty: the xref, else the lookup table over the portal's requisites. */
  private async companyOf(ref: RecordRef, counterpartyId: string): Promise<number> {
    const sys = this.c.systemId;
    const x = await ref.tx.xrefByCanonical('counterparty', counterpartyId, sys);
    const b = x ? bindingOf(x.externalId) : {};
    if (b.company !== undefined) return b.company;
    // The lookup table is kept outside the record's transaction (see Deals.scan): it survives the record failing.
    const table = this.c.store;
    const from = Number((await table.cursorGet(REQUISITE_SCAN)) ?? '0') || 0;
    let max = from;
    let found: number | undefined;
    try {
      const client = await this.portal.get();
      for await (const r of client.listAll<Requisite>('crm.requisite.list', { select: ['ID', 'ENTITY_TYPE_ID', 'ENTITY_ID', 'RQ_INN', 'RQ_KPP'], filter: { '>=ID': from + 1, ENTITY_TYPE_ID: 4 } })) {
        max = Math.max(max, Number(r.ID));
        let id: string;
        try {
          const inn = String(r.RQ_INN ?? '').trim();
          id = legalCounterpartyId(inn, inn.length === 12 ? null : r.RQ_KPP);
        } catch {
          continue; // a requisite without a valid INN/KPP identifies no counterparty
        }
        if (!(await table.xrefByCanonical('counterparty', id, sys))) await putXref(table, { entityType: 'counterparty', canonicalId: id, systemId: sys, externalId: `CO_${r.ENTITY_ID}/RQ_${r.ID}`, number: String(r.RQ_INN) });
        if (id === counterpartyId) {
          found = Number(r.ENTITY_ID);
          break;
        }
      }
    } catch (e) {
      rethrow(this.c, ref, 'looking for the company by its requisites', e, counterpartyId);
    }
    if (max > from) await table.cursorSet(REQUISITE_SCAN, String(max));
    if (found !== undefined) return found;
    throw invalid(this.c, ref, `no company on portal ${sys} has requisites (RQ_INN, RQ_KPP) of counterparty ${counterpartyId}; deliver the Counterparty first, then replay this record`, counterpartyId);
  }
}
