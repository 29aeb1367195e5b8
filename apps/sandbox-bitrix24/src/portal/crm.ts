// The CRM entities with their field tables and business rules: deals (funnels, stages and their semantics, contacts,
// OPPORTUNITY recalculated from product rows), companies and contacts (multi-fields, HAS_PHONE/HAS_EMAIL),
// requisites (RU details: RQ_INN, RQ_KPP …, presets), smart invoices (entityTypeId 31) and timeline comments.
import { errors } from '../rest/errors.ts';
import { values } from '../rest/php.ts';
import type { Core } from './core.ts';
import { Entity, type WriteCtx } from './entity.ts';
import { defs, type FieldDef, type Rec } from './fields.ts';
import { startOfDay, yn } from './format.ts';
import type { ProductRows } from './productrows.ts';
import { SMART_INVOICE_DEFAULT_CATEGORY, type Statuses } from './statuses.ts';

const DAY = 86_400_000;
const UTM = ['UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM'] as const;
const utmDefs = (): FieldDef[] => UTM.map((n) => ({ name: n, type: 'string', title: n.replace('UTM_', 'UTM ').toLowerCase() }));

export const DEAL_FIELDS: FieldDef[] = [
  ...defs([
    ['ID', 'integer', 'ID', { ro: true }],
    ['TITLE', 'string', 'Name'],
    ['TYPE_ID', 'crm_status', 'Type', { statusType: 'DEAL_TYPE', camel: 'typeId' }],
    ['STAGE_ID', 'crm_status', 'Stage', { statusType: 'DEAL_STAGE' }],
    ['PROBABILITY', 'integer', 'Probability'],
    ['CURRENCY_ID', 'crm_currency', 'Currency'],
    ['OPPORTUNITY', 'money', 'Amount'],
    ['IS_MANUAL_OPPORTUNITY', 'char', 'Manual calculation mode'],
    ['TAX_VALUE', 'money', 'Tax rate'],
    ['LEAD_ID', 'crm_lead', 'Lead', { ro: true }],
    ['COMPANY_ID', 'crm_company', 'Company'],
    ['CONTACT_ID', 'crm_contact', 'Contact'],
    ['QUOTE_ID', 'crm_quote', 'Quote', { ro: true }],
    ['BEGINDATE', 'date', 'Start date'],
    ['CLOSEDATE', 'date', 'End date'],
    ['ASSIGNED_BY_ID', 'user', 'Responsible person'],
    ['CREATED_BY_ID', 'user', 'Created by', { ro: true, camel: 'createdBy' }],
    ['MODIFY_BY_ID', 'user', 'Modified by', { ro: true, camel: 'updatedBy' }],
    ['DATE_CREATE', 'datetime', 'Created on', { ro: true, camel: 'createdTime' }],
    ['DATE_MODIFY', 'datetime', 'Modified on', { ro: true, camel: 'updatedTime' }],
    ['OPENED', 'char', 'Available to everyone'],
    ['CLOSED', 'char', 'Closed'],
    ['COMMENTS', 'string', 'Comment'],
    ['ADDITIONAL_INFO', 'string', 'Additional information'],
    ['LOCATION_ID', 'location', 'Location'],
    ['CATEGORY_ID', 'crm_category', 'Pipeline', { immutable: true }],
    ['STAGE_SEMANTIC_ID', 'string', 'Stage group', { ro: true }],
    ['IS_NEW', 'char', 'New deal', { ro: true }],
    ['IS_RECURRING', 'char', 'Recurring deal'],
    ['IS_RETURN_CUSTOMER', 'char', 'Repeat deal'],
    ['IS_REPEATED_APPROACH', 'char', 'Repeat inquiry'],
    ['SOURCE_ID', 'crm_status', 'Source', { statusType: 'SOURCE' }],
    ['SOURCE_DESCRIPTION', 'string', 'Source information'],
    ['ORIGINATOR_ID', 'string', 'External source'],
    ['ORIGIN_ID', 'string', 'Item ID in data source'],
    ['MOVED_BY_ID', 'user', 'Moved by', { ro: true, camel: 'movedBy' }],
    ['MOVED_TIME', 'datetime', 'Moved on', { ro: true }],
    ['LAST_ACTIVITY_TIME', 'datetime', 'Last activity', { ro: true }],
  ]),
  ...utmDefs(),
  ...defs([
    ['LAST_ACTIVITY_BY', 'user', 'Last activity by', { ro: true }],
    ['CONTACT_IDS', 'crm_contact', 'Contacts', { multiple: true, writeOnly: true, notInStar: true }],
  ]),
];

const ADDRESS = ['ADDRESS', 'ADDRESS_2', 'ADDRESS_CITY', 'ADDRESS_POSTAL_CODE', 'ADDRESS_REGION', 'ADDRESS_PROVINCE', 'ADDRESS_COUNTRY', 'ADDRESS_COUNTRY_CODE'];

export const COMPANY_FIELDS: FieldDef[] = [
  ...defs([
    ['ID', 'integer', 'ID', { ro: true }],
    ['COMPANY_TYPE', 'crm_status', 'Company type', { statusType: 'COMPANY_TYPE', camel: 'typeId' }],
    ['TITLE', 'string', 'Company name', { required: true }],
    ['LOGO', 'file', 'Logo'],
    ['LEAD_ID', 'crm_lead', 'Lead', { ro: true }],
    ['HAS_PHONE', 'char', 'Has phone', { ro: true }],
    ['HAS_EMAIL', 'char', 'Has email', { ro: true }],
    ['HAS_IMOL', 'char', 'Has Open Channel', { ro: true }],
    ['ASSIGNED_BY_ID', 'user', 'Responsible person'],
    ['CREATED_BY_ID', 'user', 'Created by', { ro: true, camel: 'createdBy' }],
    ['MODIFY_BY_ID', 'user', 'Modified by', { ro: true, camel: 'updatedBy' }],
    ['BANKING_DETAILS', 'string', 'Payment details'],
    ['INDUSTRY', 'crm_status', 'Industry', { statusType: 'INDUSTRY' }],
    ['REVENUE', 'double', 'Annual revenue'],
    ['CURRENCY_ID', 'crm_currency', 'Currency'],
    ['EMPLOYEES', 'crm_status', 'Employees', { statusType: 'EMPLOYEES' }],
    ['COMMENTS', 'string', 'Comment'],
    ['DATE_CREATE', 'datetime', 'Created on', { ro: true, camel: 'createdTime' }],
    ['DATE_MODIFY', 'datetime', 'Modified on', { ro: true, camel: 'updatedTime' }],
    ['OPENED', 'char', 'Available to everyone'],
    ['IS_MY_COMPANY', 'char', 'My company'],
    ['ORIGINATOR_ID', 'string', 'External source'],
    ['ORIGIN_ID', 'string', 'Item ID in data source'],
    ['ORIGIN_VERSION', 'string', 'Original version'],
  ]),
  ...ADDRESS.map((n): FieldDef => ({ name: n, type: 'string', title: n })),
  ...ADDRESS.map((n): FieldDef => ({ name: `REG_${n}`, type: 'string', title: `REG_${n}` })),
  ...utmDefs(),
  ...defs([
    ['LAST_ACTIVITY_BY', 'user', 'Last activity by', { ro: true }],
    ['LAST_ACTIVITY_TIME', 'datetime', 'Last activity', { ro: true }],
  ]),
];

export const CONTACT_FIELDS: FieldDef[] = [
  ...defs([
    ['ID', 'integer', 'ID', { ro: true }],
    ['POST', 'string', 'Position'],
    ['COMMENTS', 'string', 'Comment'],
    ['HONORIFIC', 'crm_status', 'Salutation', { statusType: 'HONORIFIC' }],
    ['NAME', 'string', 'First name'],
    ['SECOND_NAME', 'string', 'Second name'],
    ['LAST_NAME', 'string', 'Last name'],
    ['PHOTO', 'file', 'Photo'],
    ['LEAD_ID', 'crm_lead', 'Lead', { ro: true }],
    ['TYPE_ID', 'crm_status', 'Contact type', { statusType: 'CONTACT_TYPE' }],
    ['SOURCE_ID', 'crm_status', 'Source', { statusType: 'SOURCE' }],
    ['SOURCE_DESCRIPTION', 'string', 'Source information'],
    ['COMPANY_ID', 'crm_company', 'Company'],
    ['BIRTHDATE', 'date', 'Date of birth'],
    ['EXPORT', 'char', 'Included in export'],
    ['HAS_PHONE', 'char', 'Has phone', { ro: true }],
    ['HAS_EMAIL', 'char', 'Has email', { ro: true }],
    ['HAS_IMOL', 'char', 'Has Open Channel', { ro: true }],
    ['DATE_CREATE', 'datetime', 'Created on', { ro: true, camel: 'createdTime' }],
    ['DATE_MODIFY', 'datetime', 'Modified on', { ro: true, camel: 'updatedTime' }],
    ['ASSIGNED_BY_ID', 'user', 'Responsible person'],
    ['CREATED_BY_ID', 'user', 'Created by', { ro: true, camel: 'createdBy' }],
    ['MODIFY_BY_ID', 'user', 'Modified by', { ro: true, camel: 'updatedBy' }],
    ['OPENED', 'char', 'Available to everyone'],
    ['ORIGINATOR_ID', 'string', 'External source'],
    ['ORIGIN_ID', 'string', 'Item ID in data source'],
    ['ORIGIN_VERSION', 'string', 'Original version'],
    ['FACE_ID', 'integer', 'Face ID', { ro: true }],
    ['LAST_ACTIVITY_TIME', 'datetime', 'Last activity', { ro: true }],
  ]),
  ...ADDRESS.filter((n) => n !== 'ADDRESS_COUNTRY_CODE').map((n): FieldDef => ({ name: n, type: 'string', title: n })),
  ...utmDefs(),
  ...defs([
    ['LAST_ACTIVITY_BY', 'user', 'Last activity by', { ro: true }],
    ['COMPANY_IDS', 'crm_company', 'Companies', { multiple: true, writeOnly: true, notInStar: true }],
  ]),
];

const RQ_STRINGS = [
  'RQ_NAME', 'RQ_FIRST_NAME', 'RQ_LAST_NAME', 'RQ_SECOND_NAME', 'RQ_COMPANY_ID', 'RQ_COMPANY_NAME', 'RQ_COMPANY_FULL_NAME',
  'RQ_COMPANY_REG_DATE', 'RQ_DIRECTOR', 'RQ_ACCOUNTANT', 'RQ_CEO_NAME', 'RQ_CEO_WORK_POS', 'RQ_CONTACT', 'RQ_EMAIL', 'RQ_PHONE',
  'RQ_FAX', 'RQ_IDENT_TYPE', 'RQ_IDENT_DOC', 'RQ_IDENT_DOC_SER', 'RQ_IDENT_DOC_NUM', 'RQ_IDENT_DOC_PERS_NUM', 'RQ_IDENT_DOC_DATE',
  'RQ_IDENT_DOC_ISSUED_BY', 'RQ_IDENT_DOC_DEP_CODE', 'RQ_INN', 'RQ_KPP', 'RQ_USRLE', 'RQ_IFNS', 'RQ_OGRN', 'RQ_OGRNIP', 'RQ_OKPO',
  'RQ_OKTMO', 'RQ_OKVED', 'RQ_EDRPOU', 'RQ_DRFO', 'RQ_KBE', 'RQ_IIN', 'RQ_BIN', 'RQ_ST_CERT_SER', 'RQ_ST_CERT_NUM', 'RQ_ST_CERT_DATE',
];

export const REQUISITE_FIELDS: FieldDef[] = [
  ...defs([
    ['ID', 'integer', 'ID', { ro: true }],
    ['ENTITY_TYPE_ID', 'integer', 'Parent entity type ID', { required: true, immutable: true }],
    ['ENTITY_ID', 'integer', 'Parent entity ID', { required: true, immutable: true }],
    ['PRESET_ID', 'integer', 'Template', { required: true }],
    ['DATE_CREATE', 'datetime', 'Created on', { ro: true }],
    ['DATE_MODIFY', 'datetime', 'Modified on', { ro: true, legacyEmpty: '' }],
    ['CREATED_BY_ID', 'user', 'Created by', { ro: true }],
    ['MODIFY_BY_ID', 'user', 'Modified by', { ro: true }],
    ['NAME', 'string', 'Name', { required: true }],
    ['CODE', 'string', 'Symbolic code'],
    ['XML_ID', 'string', 'External ID'],
    ['ORIGINATOR_ID', 'string', 'External source'],
    ['ACTIVE', 'char', 'Active'],
    ['ADDRESS_ONLY', 'char', 'Address only'],
    ['SORT', 'integer', 'Sort'],
  ]),
  ...RQ_STRINGS.map((n): FieldDef => ({ name: n, type: 'string', title: n })),
  ...defs([
    ['RQ_VAT_PAYER', 'char', 'VAT payer'],
    ['RQ_VAT_ID', 'string', 'VAT ID'],
    ['RQ_VAT_CERT_SER', 'string', 'VAT certificate series'],
    ['RQ_VAT_CERT_NUM', 'string', 'VAT certificate number'],
    ['RQ_VAT_CERT_DATE', 'string', 'VAT certificate date'],
    ['RQ_RESIDENCE_COUNTRY', 'string', 'Country of residence'],
    ['RQ_BASE_DOC', 'string', 'Basis document'],
  ]),
];

/** Smart invoice (entityTypeId 31): only reachable through crm.item.*, typed camelCase names (reference §6.8). */
export const SMART_INVOICE_FIELDS: FieldDef[] = defs([
  ['ID', 'integer', 'ID', { ro: true }],
  ['XML_ID', 'string', 'External ID'],
  ['TITLE', 'string', 'Name'],
  ['ASSIGNED_BY_ID', 'user', 'Responsible person'],
  ['OPENED', 'char', 'Available to everyone'],
  ['WEBFORM_ID', 'integer', 'Created by CRM form', { ro: true }],
  ['BEGINDATE', 'date', 'Invoice date'],
  ['CLOSEDATE', 'date', 'Due date'],
  ['COMPANY_ID', 'crm_company', 'Company'],
  ['CONTACT_ID', 'crm_contact', 'Contact'],
  ['CONTACT_IDS', 'crm_contact', 'Contacts', { multiple: true }],
  ['OBSERVERS', 'user', 'Observers', { multiple: true }],
  ['CATEGORY_ID', 'crm_category', 'Pipeline'],
  ['STAGE_ID', 'crm_status', 'Stage'],
  ['PREVIOUS_STAGE_ID', 'crm_status', 'Previous stage', { ro: true }],
  ['MOVED_BY', 'user', 'Moved by', { ro: true }],
  ['MOVED_TIME', 'datetime', 'Moved on', { ro: true }],
  ['SOURCE_ID', 'crm_status', 'Source', { statusType: 'SOURCE' }],
  ['SOURCE_DESCRIPTION', 'string', 'Source information'],
  ['CURRENCY_ID', 'crm_currency', 'Currency'],
  ['IS_MANUAL_OPPORTUNITY', 'char', 'Manual calculation mode'],
  ['OPPORTUNITY', 'money', 'Amount'],
  ['TAX_VALUE', 'money', 'Tax'],
  ['MYCOMPANY_ID', 'crm_company', 'Your company details'],
  ['COMMENTS', 'string', 'Comment'],
  ['ACCOUNT_NUMBER', 'string', 'Invoice #'],
  ['LOCATION_ID', 'location', 'Location'],
  ['PARENT_ID_2', 'crm_deal', 'Deal', { camel: 'parentId2' }],
  ['PARENT_ID_7', 'crm_quote', 'Quote', { camel: 'parentId7' }],
  ['STAGE_SEMANTIC_ID', 'string', 'Stage group', { ro: true }],
  ['CREATED_TIME', 'datetime', 'Created on', { ro: true }],
  ['UPDATED_TIME', 'datetime', 'Modified on', { ro: true }],
  ['CREATED_BY', 'user', 'Created by', { ro: true }],
  ['UPDATED_BY', 'user', 'Modified by', { ro: true }],
  ['LAST_ACTIVITY_TIME', 'datetime', 'Last activity', { ro: true }],
  ['LAST_ACTIVITY_BY', 'user', 'Last activity by', { ro: true }],
]);

function nulls(rec: Rec, fields: FieldDef[]): void {
  for (const f of fields) if (!(f.name in rec)) rec[f.name] = f.multiple ? [] : null;
}

export interface CrmDeps {
  core: Core;
  statuses: Statuses;
  rows: ProductRows;
  currency: () => string;
}

export class Deals extends Entity {
  constructor(private readonly d: CrmDeps) {
    super({ code: 'DEAL', entityTypeId: 2, ufEntityId: 'CRM_DEAL', fields: DEAL_FIELDS }, d.core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    nulls(rec, DEAL_FIELDS);
    Object.assign(rec, {
      TYPE_ID: 'SALE', CATEGORY_ID: 0, CURRENCY_ID: this.d.currency(), OPPORTUNITY: 0, IS_MANUAL_OPPORTUNITY: 'N', TAX_VALUE: 0,
      BEGINDATE: startOfDay(ctx.now, this.offsetMin), CLOSEDATE: startOfDay(ctx.now + 7 * DAY, this.offsetMin),
      ASSIGNED_BY_ID: ctx.userId, CREATED_BY_ID: ctx.userId, MODIFY_BY_ID: ctx.userId, DATE_CREATE: ctx.now, DATE_MODIFY: ctx.now,
      OPENED: 'Y', CLOSED: 'N', IS_NEW: 'Y', IS_RECURRING: 'N', IS_RETURN_CUSTOMER: 'N', IS_REPEATED_APPROACH: 'N',
      MOVED_BY_ID: ctx.userId, MOVED_TIME: ctx.now, LAST_ACTIVITY_TIME: ctx.now, LAST_ACTIVITY_BY: ctx.userId, CONTACT_IDS: [],
    });
  }

  protected override derive(rec: Rec, prev: Rec | undefined, changed: Set<string>, ctx: WriteCtx): void {
    const cat = Number(rec.CATEGORY_ID ?? 0);
    if (!this.d.statuses.category(2, cat)) throw errors.legacy(`Category with ID ${cat} is not found.`);
    const stages = this.d.statuses.stages(2, cat);
    if (rec.STAGE_ID === null || rec.STAGE_ID === undefined) rec.STAGE_ID = stages[0]?.STATUS_ID ?? null;
    const stage = this.d.statuses.stage(2, cat, String(rec.STAGE_ID));
    // UNCONFIRMED: a stage outside the deal's funnel is refused rather than silently replaced.
    if (!stage) throw errors.legacy(`Stage "${String(rec.STAGE_ID)}" is not found in the pipeline ${cat}.`);
    if (!prev || changed.has('STAGE_ID') || changed.has('CATEGORY_ID')) {
      const sem = this.d.statuses.semantic(stage);
      rec.STAGE_SEMANTIC_ID = sem;
      rec.CLOSED = yn(sem !== 'P');
      rec.IS_NEW = yn(stage.STATUS_ID === stages[0]?.STATUS_ID);
      if (prev) {
        rec.MOVED_TIME = ctx.now;
        rec.MOVED_BY_ID = ctx.userId;
      }
    }
    if (!rec.TITLE) rec.TITLE = `Deal #${rec.ID}`;
    if (changed.has('CONTACT_IDS')) rec.CONTACT_ID = values(rec.CONTACT_IDS)[0] ?? null;
    else if (changed.has('CONTACT_ID') && rec.CONTACT_ID !== null && rec.CONTACT_ID !== undefined) {
      const ids = values(rec.CONTACT_IDS).filter((x) => x !== rec.CONTACT_ID);
      rec.CONTACT_IDS = [rec.CONTACT_ID ?? null, ...ids];
    }
    this.recalc(rec);
    if (prev) {
      rec.DATE_MODIFY = ctx.now;
      rec.MODIFY_BY_ID = ctx.userId;
    }
  }

  /** OPPORTUNITY and TAX_VALUE follow the product rows unless IS_MANUAL_OPPORTUNITY = Y. */
  recalc(rec: Rec): void {
    const t = this.d.rows.totals('D', rec.ID);
    if (t.count > 0 && rec.IS_MANUAL_OPPORTUNITY !== 'Y') {
      rec.OPPORTUNITY = t.sum;
      rec.TAX_VALUE = t.tax;
    }
  }

  /** A funnel move (crm.item.update with categoryId): the stage goes to the new funnel, to its first stage by default. */
  move(id: number, categoryId: number, stageId: string | undefined, ctx: WriteCtx): { rec: Rec; prev: Rec } {
    const cur = this.get(id)!;
    if (!this.d.statuses.category(2, categoryId)) throw errors.notFound('Category not found');
    const prev = structuredClone(cur);
    const next = structuredClone(cur);
    next.CATEGORY_ID = categoryId;
    const first = this.d.statuses.stages(2, categoryId)[0]?.STATUS_ID ?? null;
    next.STAGE_ID = stageId && this.d.statuses.stage(2, categoryId, stageId) ? stageId : first;
    this.derive(next, prev, new Set(['CATEGORY_ID', 'STAGE_ID']), ctx);
    this.rows.set(id, next);
    return { rec: next, prev };
  }
}

/** Companies and contacts share the HAS_PHONE/HAS_EMAIL bookkeeping over their multi-fields. */
class WithMulti extends Entity {
  protected defaultsCommon(rec: Rec, ctx: WriteCtx, fields: FieldDef[]): void {
    nulls(rec, fields);
    Object.assign(rec, {
      ASSIGNED_BY_ID: ctx.userId, CREATED_BY_ID: ctx.userId, MODIFY_BY_ID: ctx.userId, DATE_CREATE: ctx.now, DATE_MODIFY: ctx.now,
      OPENED: 'Y', HAS_PHONE: 'N', HAS_EMAIL: 'N', HAS_IMOL: 'N', LAST_ACTIVITY_TIME: ctx.now, LAST_ACTIVITY_BY: ctx.userId,
    });
  }

  protected override derive(rec: Rec, prev: Rec | undefined, _changed: Set<string>, ctx: WriteCtx): void {
    const m = this.core.multiOf(this.cfg.code, rec.ID);
    rec.HAS_PHONE = yn(m.some((v) => v.TYPE_ID === 'PHONE'));
    rec.HAS_EMAIL = yn(m.some((v) => v.TYPE_ID === 'EMAIL'));
    rec.HAS_IMOL = yn(m.some((v) => v.TYPE_ID === 'IM' && v.VALUE_TYPE === 'IMOL'));
    if (prev) {
      rec.DATE_MODIFY = ctx.now;
      rec.MODIFY_BY_ID = ctx.userId;
    }
  }
}

export class Companies extends WithMulti {
  constructor(private readonly d: CrmDeps) {
    super({ code: 'COMPANY', entityTypeId: 4, ufEntityId: 'CRM_COMPANY', fields: COMPANY_FIELDS, multi: true }, d.core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    this.defaultsCommon(rec, ctx, COMPANY_FIELDS);
    Object.assign(rec, { COMPANY_TYPE: 'CUSTOMER', CURRENCY_ID: this.d.currency(), IS_MY_COMPANY: 'N', REVENUE: 0 });
  }
}

export class Contacts extends WithMulti {
  constructor(d: CrmDeps) {
    super({ code: 'CONTACT', entityTypeId: 3, ufEntityId: 'CRM_CONTACT', fields: CONTACT_FIELDS, multi: true }, d.core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    this.defaultsCommon(rec, ctx, CONTACT_FIELDS);
    Object.assign(rec, { TYPE_ID: 'CLIENT', EXPORT: 'Y', COMPANY_IDS: [] });
  }

  protected override derive(rec: Rec, prev: Rec | undefined, changed: Set<string>, ctx: WriteCtx): void {
    if (changed.has('COMPANY_IDS')) rec.COMPANY_ID = values(rec.COMPANY_IDS)[0] ?? null;
    else if (changed.has('COMPANY_ID') && rec.COMPANY_ID !== null && rec.COMPANY_ID !== undefined) rec.COMPANY_IDS = [rec.COMPANY_ID ?? null, ...values(rec.COMPANY_IDS).filter((x) => x !== rec.COMPANY_ID)];
    super.derive(rec, prev, changed, ctx);
  }
}

export interface Preset {
  ID: number;
  NAME: string;
  ENTITY_TYPE_ID: number;
  COUNTRY_ID: number;
  ACTIVE: 'Y' | 'N';
  SORT: number;
  XML_ID: string;
}

export const DEFAULT_PRESETS: Preset[] = [
  { ID: 1, NAME: 'Organization', ENTITY_TYPE_ID: 8, COUNTRY_ID: 1, ACTIVE: 'Y', SORT: 500, XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#' },
  { ID: 2, NAME: 'Sole Proprietorship', ENTITY_TYPE_ID: 8, COUNTRY_ID: 1, ACTIVE: 'Y', SORT: 500, XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#' },
  { ID: 3, NAME: 'Individual', ENTITY_TYPE_ID: 8, COUNTRY_ID: 1, ACTIVE: 'Y', SORT: 500, XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_PERSON#' },
  { ID: 4, NAME: 'Organization (additional)', ENTITY_TYPE_ID: 8, COUNTRY_ID: 1, ACTIVE: 'Y', SORT: 500, XML_ID: '' },
];

export class Requisites extends Entity {
  presets: Preset[] = structuredClone(DEFAULT_PRESETS);

  constructor(private readonly owners: { exists(entityTypeId: number, id: number): boolean }, core: Core) {
    super({ code: 'REQUISITE', entityTypeId: 8, ufEntityId: 'CRM_REQUISITE', fields: REQUISITE_FIELDS }, core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    nulls(rec, REQUISITE_FIELDS);
    Object.assign(rec, { DATE_CREATE: ctx.now, CREATED_BY_ID: ctx.userId, ACTIVE: 'Y', ADDRESS_ONLY: 'N', SORT: 500, RQ_VAT_PAYER: 'N' });
  }

  /** Validation order and texts of crm.requisite.add (docs error table). */
  protected override derive(rec: Rec, prev: Rec | undefined, _changed: Set<string>, ctx: WriteCtx): void {
    const et = Number(rec.ENTITY_TYPE_ID ?? 0);
    if (et !== 3 && et !== 4) throw errors.legacy('ENTITY_TYPE_ID is not defined or invalid.');
    const eid = Number(rec.ENTITY_ID ?? 0);
    if (!(eid > 0)) throw errors.legacy('ENTITY_ID is not defined or invalid.');
    if (!this.presets.some((p) => p.ID === Number(rec.PRESET_ID ?? 0))) throw errors.legacy('PRESET_ID is not defined or invalid.');
    if (!this.owners.exists(et, eid)) throw errors.legacy('Entity not found.');
    // UNCONFIRMED text: NAME is required per the docs, the error's wording is not documented.
    if (!rec.NAME) throw errors.legacy('The field "Name" is required.');
    if (prev) {
      rec.DATE_MODIFY = ctx.now;
      rec.MODIFY_BY_ID = ctx.userId;
    }
  }
}

export class SmartInvoices extends Entity {
  constructor(private readonly d: CrmDeps) {
    super({ code: 'SMART_INVOICE', entityTypeId: 31, ufEntityId: 'CRM_SMART_INVOICE', fields: SMART_INVOICE_FIELDS }, d.core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    nulls(rec, SMART_INVOICE_FIELDS);
    Object.assign(rec, {
      ASSIGNED_BY_ID: ctx.userId, OPENED: 'N', BEGINDATE: startOfDay(ctx.now, this.offsetMin), CLOSEDATE: startOfDay(ctx.now + 7 * DAY, this.offsetMin),
      CATEGORY_ID: this.d.statuses.defaultCategory(31)?.id ?? SMART_INVOICE_DEFAULT_CATEGORY, CURRENCY_ID: this.d.currency(),
      IS_MANUAL_OPPORTUNITY: 'N', OPPORTUNITY: 0, TAX_VALUE: 0, CREATED_TIME: ctx.now, UPDATED_TIME: ctx.now, CREATED_BY: ctx.userId,
      UPDATED_BY: ctx.userId, MOVED_BY: ctx.userId, MOVED_TIME: ctx.now, LAST_ACTIVITY_TIME: ctx.now, LAST_ACTIVITY_BY: ctx.userId,
      CONTACT_IDS: [], OBSERVERS: [],
    });
  }

  protected override derive(rec: Rec, prev: Rec | undefined, changed: Set<string>, ctx: WriteCtx): void {
    const cat = Number(rec.CATEGORY_ID);
    if (!this.d.statuses.category(31, cat)) throw errors.notFound('Category not found');
    const stages = this.d.statuses.stages(31, cat);
    if (!rec.STAGE_ID || (changed.has('CATEGORY_ID') && !changed.has('STAGE_ID'))) rec.STAGE_ID = stages[0]?.STATUS_ID ?? null;
    const stage = this.d.statuses.stage(31, cat, String(rec.STAGE_ID));
    if (!stage) throw errors.crmFieldValue('stageId');
    if (!prev || changed.has('STAGE_ID')) {
      rec.STAGE_SEMANTIC_ID = this.d.statuses.semantic(stage);
      if (prev) {
        rec.PREVIOUS_STAGE_ID = prev.STAGE_ID ?? null;
        rec.MOVED_TIME = ctx.now;
        rec.MOVED_BY = ctx.userId;
      }
    }
    if (!rec.TITLE) rec.TITLE = `Invoice #${rec.ID}`;
    // UNCONFIRMED: the default numbering template of smart invoices; the id as a string is the plausible default.
    if (!rec.ACCOUNT_NUMBER) rec.ACCOUNT_NUMBER = String(rec.ID);
    if (changed.has('CONTACT_IDS')) rec.CONTACT_ID = values(rec.CONTACT_IDS)[0] ?? null;
    const t = this.d.rows.totals('SI', rec.ID);
    if (t.count > 0 && rec.IS_MANUAL_OPPORTUNITY !== 'Y') {
      rec.OPPORTUNITY = t.sum;
      rec.TAX_VALUE = t.tax;
    }
    if (prev) {
      rec.UPDATED_TIME = ctx.now;
      rec.UPDATED_BY = ctx.userId;
    }
  }

  recalc(rec: Rec): void {
    const t = this.d.rows.totals('SI', rec.ID);
    if (t.count > 0 && rec.IS_MANUAL_OPPORTUNITY !== 'Y') {
      rec.OPPORTUNITY = t.sum;
      rec.TAX_VALUE = t.tax;
    }
  }
}

export interface TimelineComment {
  ID: number;
  CREATED: number;
  ENTITY_ID: number;
  ENTITY_TYPE: string;
  AUTHOR_ID: number;
  COMMENT: string;
  FILES: Array<{ name: string; size: number; content: string }>;
}

