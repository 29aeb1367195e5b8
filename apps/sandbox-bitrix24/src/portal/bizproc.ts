// Business processes: templates with approval routes (steps run one after another; inside a step the performers work
// in parallel, and the step needs "all" or "any" of them), workflow instances started on CRM documents, and the
// performer tasks that bizproc.task.list shows and bizproc.task.complete answers.
import { randomBytes } from 'node:crypto';
import { RestError } from '../rest/errors.ts';
import { int, isMap, param, str, values, type Php, type PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';
import { isoDateTime } from './format.ts';

export type Activity = 'ApproveActivity' | 'ReviewActivity' | 'RequestInformationActivity';

export interface Step {
  name: string;
  description: string;
  activity: Activity;
  users: number[];
  /** "all": every performer must answer; "any": the first answer decides. */
  mode: 'all' | 'any';
  fields: PhpMap[];
}

export interface Template {
  ID: number;
  NAME: string;
  MODULE_ID: string;
  ENTITY: string;
  DOCUMENT_TYPE: [string, string, string];
  steps: Step[];
}

export interface Workflow {
  ID: string;
  TEMPLATE_ID: number;
  DOCUMENT_ID: [string, string, string];
  STARTED: number;
  STARTED_BY: number;
  MODIFIED: number;
  STATE: 'InProgress' | 'Completed' | 'Terminated';
  /** approved / rejected / terminated, once finished. */
  RESULT: string | null;
  step: number;
  PARAMETERS: PhpMap;
  log: Array<{ task: number; user: number; status: number; comment: string; fields: PhpMap; at: number }>;
}

export interface BpTask {
  ID: number;
  WORKFLOW_ID: string;
  ACTIVITY: Activity;
  ACTIVITY_NAME: string;
  NAME: string;
  DESCRIPTION: string;
  MODIFIED: number;
  OVERDUE_DATE: number | null;
  /** 0 running, 1 yes, 2 no, 3 ok, 4 cancel. */
  STATUS: number;
  users: Array<{ USER_ID: number; STATUS: number; DATE_UPDATE: number | null }>;
  mode: 'all' | 'any';
  fields: PhpMap[];
}

/** Entity classes of the document ids bizproc.workflow.start accepts (reference §6.13). */
const DOC_CLASSES: Record<string, RegExp> = {
  CCrmDocumentDeal: /^DEAL_\d+$/,
  CCrmDocumentLead: /^LEAD_\d+$/,
  CCrmDocumentCompany: /^COMPANY_\d+$/,
  CCrmDocumentContact: /^CONTACT_\d+$/,
  'Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice': /^SMART_INVOICE_\d+$/,
  'Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote': /^QUOTE_\d+$/,
  'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic': /^DYNAMIC_\d+_\d+$/,
  'Bitrix\\Disk\\BizProcDocument': /^\d+$/,
  BizprocDocument: /^\d+$/,
};

const STATUS_WORDS: Record<string, number> = { yes: 1, no: 2, ok: 3, cancel: 4 };

export class Bizproc {
  templates: Template[] = [];
  workflows = new Map<string, Workflow>();
  tasks = new Map<number, BpTask>();

  constructor(private readonly core: Core) {}

  clear(): void {
    this.templates = [];
    this.workflows.clear();
    this.tasks.clear();
  }

  addTemplate(t: PhpMap): Template {
    const docType = values(param(t, 'DOCUMENT_TYPE')).map((x) => str(x));
    const steps: Step[] = values(param(t, 'steps') ?? param(t, 'STEPS')).filter(isMap).map((s, i) => ({
      name: str(param(s, 'name')) || `Step ${i + 1}`,
      description: str(param(s, 'description')),
      activity: (['ApproveActivity', 'ReviewActivity', 'RequestInformationActivity'] as const).find((a) => a === str(param(s, 'activity'))) ?? 'ApproveActivity',
      users: values(param(s, 'users')).map((x) => int(x)).filter((x) => x > 0),
      mode: str(param(s, 'mode')) === 'any' ? 'any' : 'all',
      fields: values(param(s, 'fields')).filter(isMap),
    }));
    const tpl: Template = {
      ID: this.core.nextId('bptemplate', int(param(t, 'ID')) || undefined),
      NAME: str(param(t, 'NAME')) || 'Approval',
      MODULE_ID: docType[0] ?? 'crm',
      ENTITY: docType[1] ?? 'CCrmDocumentDeal',
      DOCUMENT_TYPE: [docType[0] ?? 'crm', docType[1] ?? 'CCrmDocumentDeal', docType[2] ?? 'DEAL'],
      steps,
    };
    this.templates.push(tpl);
    return tpl;
  }

  /** bizproc.workflow.start checks, in the docs' order and wording. */
  start(templateId: Php | undefined, documentId: Php | undefined, parameters: PhpMap, by: number, now: number, documentExists: (doc: [string, string, string]) => boolean): Workflow {
    if (templateId === undefined || str(templateId) === '' || int(templateId) === 0) throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Empty TEMPLATE_ID');
    const tpl = this.templates.find((t) => t.ID === int(templateId));
    if (!tpl) throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Template not found');
    const doc = values(documentId).map((x) => str(x));
    if (doc.length !== 3 || !doc[2]) throw new RestError('', 'Wrong DOCUMENT_ID!');
    const [module, entity, id] = doc as [string, string, string];
    const re = DOC_CLASSES[entity];
    if (!re || !re.test(id)) throw new RestError('', 'Incorrect document type!');
    if (module !== tpl.MODULE_ID || entity !== tpl.ENTITY || !id.startsWith(tpl.DOCUMENT_TYPE[2].replace(/_\d+$/, ''))) {
      throw new RestError('', 'Template type and DOCUMENT_ID mismatch!');
    }
    if (!documentExists([module, entity, id])) throw new RestError('', 'Wrong DOCUMENT_ID!');
    const wid = `${Math.floor(now / 1000).toString(16)}${randomBytes(3).toString('hex')}.${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
    const wf: Workflow = { ID: wid, TEMPLATE_ID: tpl.ID, DOCUMENT_ID: [module, entity, id], STARTED: now, STARTED_BY: by, MODIFIED: now, STATE: 'InProgress', RESULT: null, step: -1, PARAMETERS: parameters, log: [] };
    this.workflows.set(wid, wf);
    this.advance(wf, now);
    return wf;
  }

  /** Moves to the next step and creates its tasks; a workflow without more steps is completed as approved. */
  private advance(wf: Workflow, now: number): void {
    const tpl = this.templates.find((t) => t.ID === wf.TEMPLATE_ID)!;
    wf.step++;
    wf.MODIFIED = now;
    const step = tpl.steps[wf.step];
    if (!step) {
      wf.STATE = 'Completed';
      wf.RESULT = wf.RESULT ?? 'approved';
      return;
    }
    const id = this.core.nextId('bptask');
    this.tasks.set(id, {
      ID: id, WORKFLOW_ID: wf.ID, ACTIVITY: step.activity, ACTIVITY_NAME: `A${wf.step + 1}_${id}`, NAME: step.name, DESCRIPTION: step.description,
      MODIFIED: now, OVERDUE_DATE: null, STATUS: 0, users: step.users.map((u) => ({ USER_ID: u, STATUS: 0, DATE_UPDATE: null })), mode: step.mode, fields: step.fields,
    });
  }

  /** bizproc.task.complete: only the performer's own waiting task; statuses allowed per task type. */
  complete(taskId: Php | undefined, statusIn: Php | undefined, comment: string, fields: PhpMap, by: number, now: number): void {
    if (taskId === undefined || int(taskId) === 0) throw new RestError('ERROR_TASK_VALIDATION', 'empty TASK_ID');
    const raw = str(statusIn).toLowerCase();
    const status = STATUS_WORDS[raw] ?? int(statusIn);
    if (![1, 2, 3, 4].includes(status)) throw new RestError('ERROR_TASK_VALIDATION', 'incorrect STATUS');
    const t = this.tasks.get(int(taskId));
    const me = t?.users.find((u) => u.USER_ID === by);
    if (!t || !me) throw new RestError('ERROR_TASK_NOT_FOUND', 'Task not found');
    if (t.STATUS !== 0 || me.STATUS !== 0) throw new RestError('ERROR_TASK_COMPLETED', 'Task already completed');
    const allowed: Record<Activity, number[]> = { ApproveActivity: [1, 2], ReviewActivity: [3], RequestInformationActivity: [3, 4] };
    if (!allowed[t.ACTIVITY].includes(status)) throw new RestError('ERROR_TASK_VALIDATION', 'incorrect STATUS');
    me.STATUS = status;
    me.DATE_UPDATE = now;
    t.MODIFIED = now;
    const wf = this.workflows.get(t.WORKFLOW_ID)!;
    wf.log.push({ task: t.ID, user: by, status, comment, fields, at: now });
    const negative = status === 2 || status === 4;
    const done = t.users.every((u) => u.STATUS !== 0);
    if (negative || t.mode === 'any' || done) {
      t.STATUS = negative ? status : t.mode === 'any' ? status : status === 3 ? 3 : 1;
      for (const u of t.users) if (u.STATUS === 0) u.STATUS = 4;
      if (negative) {
        wf.STATE = 'Completed';
        wf.RESULT = 'rejected';
        wf.MODIFIED = now;
      } else this.advance(wf, now);
    }
  }

  terminate(id: string, now: number): boolean {
    const wf = this.workflows.get(id);
    if (!wf || wf.STATE !== 'InProgress') return false;
    wf.STATE = 'Terminated';
    wf.RESULT = 'terminated';
    wf.MODIFIED = now;
    for (const t of this.tasks.values()) if (t.WORKFLOW_ID === id && t.STATUS === 0) t.STATUS = 4;
    return true;
  }

  /** One row per (task, performer), as bizproc.task.list prints it. */
  taskRows(documentName: (doc: [string, string, string]) => string): PhpMap[] {
    const o = this.core.offsetMin;
    const rows: PhpMap[] = [];
    for (const t of [...this.tasks.values()].sort((a, b) => a.ID - b.ID)) {
      const wf = this.workflows.get(t.WORKFLOW_ID)!;
      const tpl = this.templates.find((x) => x.ID === wf.TEMPLATE_ID);
      for (const u of t.users) {
        rows.push({
          ENTITY: wf.DOCUMENT_ID[1], DOCUMENT_ID: wf.DOCUMENT_ID[2], ID: String(t.ID), WORKFLOW_ID: wf.ID, DOCUMENT_NAME: documentName(wf.DOCUMENT_ID),
          DESCRIPTION: t.DESCRIPTION, NAME: t.NAME, MODIFIED: isoDateTime(t.MODIFIED, o), WORKFLOW_STARTED: isoDateTime(wf.STARTED, o),
          WORKFLOW_STARTED_BY: String(wf.STARTED_BY), OVERDUE_DATE: t.OVERDUE_DATE === null ? null : isoDateTime(t.OVERDUE_DATE, o),
          WORKFLOW_TEMPLATE_ID: String(wf.TEMPLATE_ID), WORKFLOW_TEMPLATE_NAME: tpl?.NAME ?? '', WORKFLOW_STATE: wf.STATE === 'InProgress' ? t.NAME : wf.STATE,
          STATUS: String(t.STATUS), USER_ID: String(u.USER_ID), USER_STATUS: String(u.STATUS), MODULE_ID: wf.DOCUMENT_ID[0],
          ACTIVITY: t.ACTIVITY, ACTIVITY_NAME: t.ACTIVITY_NAME, DOCUMENT_URL: '',
          PARAMETERS: { CommentLabel: 'Comment', CommentRequired: 'N', ShowComment: 'Y', ...(t.fields.length ? { Fields: t.fields } : {}) },
        });
      }
    }
    return rows;
  }

  instanceRows(): PhpMap[] {
    const o = this.core.offsetMin;
    return [...this.workflows.values()]
      .filter((w) => w.STATE === 'InProgress')
      .map((w) => ({ ID: w.ID, MODIFIED: isoDateTime(w.MODIFIED, o), OWNED_UNTIL: null, MODULE_ID: w.DOCUMENT_ID[0], ENTITY: w.DOCUMENT_ID[1], DOCUMENT_ID: w.DOCUMENT_ID[2], STARTED: isoDateTime(w.STARTED, o), STARTED_BY: String(w.STARTED_BY), TEMPLATE_ID: String(w.TEMPLATE_ID) }));
  }
}
