// Funnels (categories) and directories (crm.status): deal stages per funnel (`DEAL_STAGE`, `DEAL_STAGE_<n>` with
// ids `C<n>:NEW`), smart-invoice stages (`SMART_INVOICE_STAGE_<n>`, ids `DT31_<n>:N`), deal types, sources, company
// and contact types, old-invoice statuses. Category ids come from one sequence shared by all entity types.
import type { PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';

export interface Status {
  ID: number;
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  NAME_INIT: string;
  SORT: number;
  SYSTEM: 'Y' | 'N';
  CATEGORY_ID: number | null;
  COLOR: string;
  SEMANTICS: 'S' | 'F' | null;
}

export interface Category {
  id: number;
  entityTypeId: number;
  name: string;
  sort: number;
  isDefault: 'Y' | 'N';
  originId: string;
  originatorId: string;
}

type StageSpec = [code: string, name: string, semantics: 'S' | 'F' | null, color: string];

const DEAL_STAGES: StageSpec[] = [
  ['NEW', 'New', null, '#39A8EF'],
  ['PREPARATION', 'Document preparation', null, '#2FC6F6'],
  ['PREPAYMENT_INVOICE', 'Prepayment invoice', null, '#55D0E0'],
  ['EXECUTING', 'In progress', null, '#47E4C2'],
  ['FINAL_INVOICE', 'Final invoice', null, '#FFA900'],
  ['WON', 'Deal won', 'S', '#7BD500'],
  ['LOSE', 'Deal lost', 'F', '#FF5752'],
  ['APOLOGY', 'Analyze failure', 'F', '#FF5752'],
];

/** Smart-invoice stage codes N/S/P/D: the reference marks the defaults UNCONFIRMED; read them via crm.status.list. */
const INVOICE_STAGES: StageSpec[] = [
  ['N', 'New', null, '#22B9FF'],
  ['S', 'Sent to client', null, '#7BD500'],
  ['P', 'Paid', 'S', '#00C4FB'],
  ['D', 'Declined', 'F', '#FF5752'],
];

const DIRECTORIES: Record<string, Array<[string, string]>> = {
  DEAL_TYPE: [['SALE', 'Sales'], ['COMPLEX', 'Integrated sales'], ['GOODS', 'Merchandise sales'], ['SERVICES', 'Service sales'], ['SERVICE', 'After-sales service']],
  SOURCE: [['CALL', 'Call'], ['EMAIL', 'E-Mail'], ['WEB', 'Website'], ['ADVERTISING', 'Advertising'], ['PARTNER', 'Existing client'], ['RECOMMENDATION', 'By recommendation'], ['TRADE_SHOW', 'Show/Exhibition'], ['WEBFORM', 'CRM form'], ['CALLBACK', 'Callback'], ['STORE', 'Online store'], ['OTHER', 'Other']],
  COMPANY_TYPE: [['CUSTOMER', 'Client'], ['SUPPLIER', 'Supplier'], ['COMPETITOR', 'Competitor'], ['PARTNER', 'Partner'], ['OTHER', 'Other']],
  CONTACT_TYPE: [['CLIENT', 'Clients'], ['SUPPLIER', 'Suppliers'], ['PARTNER', 'Partners'], ['OTHER', 'Other']],
  INDUSTRY: [['IT', 'Information Technology'], ['TELECOM', 'Telecommunication'], ['MANUFACTURING', 'Manufacturing'], ['BANKING', 'Banking Services'], ['CONSULTING', 'Consulting'], ['FINANCE', 'Finance'], ['GOVERNMENT', 'Government'], ['DELIVERY', 'Delivery'], ['ENTERTAINMENT', 'Entertainment'], ['NOTPROFIT', 'Not-for-profit'], ['OTHER', 'Other']],
};

const OLD_INVOICE_STATUSES: StageSpec[] = [
  ['N', 'New', null, '#ACE9FB'],
  ['S', 'Sent to client', null, '#7BD500'],
  ['P', 'Paid', 'S', '#DBF199'],
  ['D', 'Declined', 'F', '#FFBEBD'],
];

/** Default smart-invoice funnel id: third-party code shows 2 (reference §6.4, UNCONFIRMED). */
export const SMART_INVOICE_DEFAULT_CATEGORY = 2;

export class Statuses {
  statuses: Status[] = [];
  categories: Category[] = [];

  constructor(private readonly core: Core) {}

  /** Fresh portal: general deal funnel 0, the smart-invoice funnel, directories. */
  init(): void {
    this.statuses = [];
    this.categories = [{ id: 0, entityTypeId: 2, name: 'General', sort: 300, isDefault: 'Y', originId: '', originatorId: '' }];
    this.addStages('DEAL_STAGE', null, '', DEAL_STAGES);
    for (const [entity, items] of Object.entries(DIRECTORIES)) {
      items.forEach(([id, name], i) => this.push({ ENTITY_ID: entity, STATUS_ID: id, NAME: name, NAME_INIT: name, SORT: (i + 1) * 10, SYSTEM: 'Y', CATEGORY_ID: null, COLOR: '', SEMANTICS: null }));
    }
    this.addStages('INVOICE_STATUS', null, '', OLD_INVOICE_STATUSES);
    this.addCategory(31, 'Invoices', 100, SMART_INVOICE_DEFAULT_CATEGORY, true);
  }

  private push(s: Omit<Status, 'ID'>): Status {
    const st: Status = { ID: this.core.nextId('status'), ...s };
    this.statuses.push(st);
    return st;
  }

  private addStages(entityId: string, categoryId: number | null, prefix: string, specs: StageSpec[]): void {
    specs.forEach(([code, name, sem, color], i) =>
      this.push({ ENTITY_ID: entityId, STATUS_ID: `${prefix}${code}`, NAME: name, NAME_INIT: name, SORT: (i + 1) * 10, SYSTEM: i === 0 || sem !== null ? 'Y' : 'N', CATEGORY_ID: categoryId, COLOR: color, SEMANTICS: sem }),
    );
  }

  /** Adds a funnel with the default stages of its entity type. */
  addCategory(entityTypeId: number, name: string, sort = 500, id?: number, isDefault = false): Category {
    const cid = this.core.nextId('category', id);
    const c: Category = { id: cid, entityTypeId, name, sort, isDefault: isDefault ? 'Y' : 'N', originId: '', originatorId: '' };
    this.categories.push(c);
    if (entityTypeId === 2) this.addStages(`DEAL_STAGE_${cid}`, cid, `C${cid}:`, DEAL_STAGES);
    if (entityTypeId === 31) this.addStages(`SMART_INVOICE_STAGE_${cid}`, cid, `DT31_${cid}:`, INVOICE_STAGES);
    return c;
  }

  removeCategory(id: number): void {
    this.categories = this.categories.filter((c) => c.id !== id);
    this.statuses = this.statuses.filter((s) => s.CATEGORY_ID !== id);
  }

  category(entityTypeId: number, id: number): Category | undefined {
    return this.categories.find((c) => c.entityTypeId === entityTypeId && c.id === id);
  }

  defaultCategory(entityTypeId: number): Category | undefined {
    return this.categories.find((c) => c.entityTypeId === entityTypeId && c.isDefault === 'Y') ?? this.categories.find((c) => c.entityTypeId === entityTypeId);
  }

  /** The directory that holds the stages of a funnel. */
  stageEntity(entityTypeId: number, categoryId: number): string {
    if (entityTypeId === 2) return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
    if (entityTypeId === 31) return `SMART_INVOICE_STAGE_${categoryId}`;
    return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`;
  }

  stages(entityTypeId: number, categoryId: number): Status[] {
    const e = this.stageEntity(entityTypeId, categoryId);
    return this.statuses.filter((s) => s.ENTITY_ID === e).sort((a, b) => a.SORT - b.SORT);
  }

  stage(entityTypeId: number, categoryId: number, statusId: string): Status | undefined {
    return this.stages(entityTypeId, categoryId).find((s) => s.STATUS_ID === statusId);
  }

  /** P in progress, S success, F failure. */
  semantic(s: Status | undefined): 'P' | 'S' | 'F' {
    return s?.SEMANTICS ?? 'P';
  }

  has(entityId: string, statusId: string): boolean {
    return this.statuses.some((s) => s.ENTITY_ID === entityId && s.STATUS_ID === statusId);
  }

  addStatus(f: Omit<Status, 'ID'>): Status {
    return this.push(f);
  }
}

export function renderStatus(s: Status): PhpMap {
  return {
    ID: String(s.ID),
    ENTITY_ID: s.ENTITY_ID,
    STATUS_ID: s.STATUS_ID,
    NAME: s.NAME,
    NAME_INIT: s.NAME_INIT,
    SORT: String(s.SORT),
    SYSTEM: s.SYSTEM,
    CATEGORY_ID: s.CATEGORY_ID === null ? null : String(s.CATEGORY_ID),
    COLOR: s.COLOR,
    SEMANTICS: s.SEMANTICS,
    EXTRA: { SEMANTICS: s.SEMANTICS === 'S' ? 'success' : s.SEMANTICS === 'F' ? 'failure' : 'process', COLOR: s.COLOR },
  };
}

export function renderCategory(c: Category): PhpMap {
  const out: PhpMap = { id: c.id, name: c.name, sort: c.sort, entityTypeId: c.entityTypeId, isDefault: c.isDefault };
  // The general funnel (id 0) has no origin fields in the docs' example.
  if (!(c.entityTypeId === 2 && c.id === 0)) {
    out.originId = c.originId;
    out.originatorId = c.originatorId;
  }
  return out;
}
