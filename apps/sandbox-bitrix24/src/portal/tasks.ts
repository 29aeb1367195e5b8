// Tasks (tasks.task.*): UPPER_CASE input, camelCase output with every scalar a string, statuses 2 pending … 5
// completed (4 awaiting control when the creator must accept the result), CRM bindings in UF_CRM_TASK.
import { errors, RestError } from '../rest/errors.ts';
import { int, isMap, param, str, values, type Php, type PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';
import { isoDateTime, parseDateInput } from './format.ts';
import { fullName, type User } from './users.ts';

export interface Task {
  ID: number;
  PARENT_ID: number | null;
  TITLE: string;
  DESCRIPTION: string;
  MARK: string;
  PRIORITY: number;
  STATUS: number;
  GROUP_ID: number;
  CREATED_BY: number;
  CREATED_DATE: number;
  RESPONSIBLE_ID: number;
  CHANGED_BY: number;
  CHANGED_DATE: number;
  STATUS_CHANGED_BY: number;
  STATUS_CHANGED_DATE: number;
  CLOSED_BY: number | null;
  CLOSED_DATE: number | null;
  DEADLINE: number | null;
  START_DATE_PLAN: number | null;
  END_DATE_PLAN: number | null;
  TASK_CONTROL: 'Y' | 'N';
  ALLOW_CHANGE_DEADLINE: 'Y' | 'N';
  XML_ID: string | null;
  ACCOMPLICES: number[];
  AUDITORS: number[];
  UF_CRM_TASK: string[];
  UF_TASK_WEBDAV_FILES: Php[];
  TAGS: string[];
}

const TASK_STATUSES = [1, 2, 3, 4, 5, 6, 7];

export class Tasks {
  tasks = new Map<number, Task>();

  constructor(
    private readonly core: Core,
    private readonly users: (id: number) => User | undefined,
  ) {}

  clear(): void {
    this.tasks.clear();
  }

  private date(v: Php | undefined): number | null {
    return typeof v === 'string' ? (parseDateInput(v, this.core.offsetMin) ?? null) : null;
  }

  private ids(v: Php | undefined): number[] {
    return values(v).map((x) => int(x)).filter((x) => x > 0);
  }

  /** Applies UPPER_CASE fields, validating as the tasks module does (texts from the docs, `<br>` included). */
  private apply(t: Task, f: PhpMap): void {
    for (const [k0, v] of Object.entries(f)) {
      const k = k0.toUpperCase();
      switch (k) {
        case 'TITLE':
        case 'DESCRIPTION':
        case 'MARK':
          t[k] = str(v);
          break;
        case 'XML_ID':
          t.XML_ID = str(v);
          break;
        case 'PRIORITY':
          t.PRIORITY = int(v);
          break;
        case 'STATUS':
          if (!TASK_STATUSES.includes(int(v))) throw errors.core('Invalid status<br>');
          t.STATUS = int(v);
          break;
        case 'GROUP_ID':
          t.GROUP_ID = int(v);
          break;
        case 'PARENT_ID': {
          const p = int(v);
          if (p === t.ID) throw errors.core('Cannot bind the node to itself<br>');
          if (p > 0 && !this.tasks.has(p)) throw errors.core('The task specified in the "Parent Task" field was not found<br>');
          t.PARENT_ID = p > 0 ? p : null;
          break;
        }
        case 'RESPONSIBLE_ID':
          if (!this.users(int(v))) throw errors.core('The user specified in the "Responsible" field was not found<br>');
          t.RESPONSIBLE_ID = int(v);
          break;
        case 'CREATED_BY':
          if (this.users(int(v))) t.CREATED_BY = int(v);
          break;
        case 'DEADLINE':
        case 'START_DATE_PLAN':
        case 'END_DATE_PLAN':
          t[k] = this.date(v);
          break;
        case 'TASK_CONTROL':
        case 'ALLOW_CHANGE_DEADLINE':
          t[k] = str(v).toUpperCase() === 'Y' ? 'Y' : 'N';
          break;
        case 'ACCOMPLICES':
        case 'AUDITORS':
          t[k] = this.ids(v);
          break;
        case 'UF_CRM_TASK':
          t.UF_CRM_TASK = values(v).map((x) => str(x)).filter(Boolean);
          break;
        case 'UF_TASK_WEBDAV_FILES':
          t.UF_TASK_WEBDAV_FILES = values(v);
          break;
        case 'TAGS':
          t.TAGS = (Array.isArray(v) || isMap(v) ? values(v).map((x) => str(x)) : str(v).split(',')).map((x) => x.trim()).filter(Boolean);
          break;
      }
    }
    if (t.START_DATE_PLAN !== null && t.END_DATE_PLAN !== null && t.END_DATE_PLAN < t.START_DATE_PLAN) {
      throw errors.core('The end date specified in the scheduling is earlier than the start date<br>');
    }
  }

  add(f: PhpMap, by: number, now: number): Task {
    if (Object.keys(f).length === 0) throw new RestError('100', 'Could not find value for parameter {fields} (internal error)');
    const t: Task = {
      ID: 0, PARENT_ID: null, TITLE: '', DESCRIPTION: '', MARK: '', PRIORITY: 1, STATUS: 2, GROUP_ID: 0, CREATED_BY: by, CREATED_DATE: now,
      RESPONSIBLE_ID: 0, CHANGED_BY: by, CHANGED_DATE: now, STATUS_CHANGED_BY: by, STATUS_CHANGED_DATE: now, CLOSED_BY: null, CLOSED_DATE: null,
      DEADLINE: null, START_DATE_PLAN: null, END_DATE_PLAN: null, TASK_CONTROL: 'N', ALLOW_CHANGE_DEADLINE: 'Y', XML_ID: null,
      ACCOMPLICES: [], AUDITORS: [], UF_CRM_TASK: [], UF_TASK_WEBDAV_FILES: [], TAGS: [],
    };
    this.apply(t, f);
    if (!t.TITLE) throw errors.core('Task title is not specified<br>');
    if (!t.RESPONSIBLE_ID) throw errors.core('Responsible person not specified<br>');
    t.ID = this.core.nextId('task', int(param(f, 'ID')) || undefined);
    this.tasks.set(t.ID, t);
    return t;
  }

  /** Missing task or no access: code "0", "Action on the task is not allowed" (tasks.task.update/complete docs). */
  private must(id: number): Task {
    const t = this.tasks.get(id);
    if (!t) throw new RestError('0', 'Action on the task is not allowed');
    return t;
  }

  update(id: number, f: PhpMap, by: number, now: number): Task {
    const cur = this.must(id);
    if (Object.keys(f).length === 0) throw new RestError('100', 'Could not find value for parameter {fields} (internal error)');
    const t = structuredClone(cur);
    this.apply(t, f);
    t.CHANGED_BY = by;
    t.CHANGED_DATE = now;
    if (t.STATUS !== cur.STATUS) {
      t.STATUS_CHANGED_BY = by;
      t.STATUS_CHANGED_DATE = now;
      if (t.STATUS === 5) {
        t.CLOSED_BY = by;
        t.CLOSED_DATE = now;
      }
    }
    this.tasks.set(id, t);
    return t;
  }

  /** Completion goes to "awaiting control" (4) when the creator must accept the result and is not the one closing. */
  complete(id: number, by: number, now: number): Task {
    const t = this.must(id);
    if (t.STATUS === 5) throw new RestError('0', 'Action on the task is not allowed');
    const status = t.TASK_CONTROL === 'Y' && t.CREATED_BY !== by ? 4 : 5;
    return this.update(id, { STATUS: status }, by, now);
  }

  delete(id: number): void {
    this.must(id);
    this.tasks.delete(id);
  }

  /** The flat row filters and sorting work on (UPPER_CASE keys). */
  row(t: Task): PhpMap {
    const o = this.core.offsetMin;
    const d = (v: number | null): string | null => (v === null ? null : isoDateTime(v, o));
    return {
      ID: t.ID, PARENT_ID: t.PARENT_ID, TITLE: t.TITLE, DESCRIPTION: t.DESCRIPTION, PRIORITY: t.PRIORITY, STATUS: t.STATUS, REAL_STATUS: t.STATUS,
      GROUP_ID: t.GROUP_ID, CREATED_BY: t.CREATED_BY, CREATED_DATE: d(t.CREATED_DATE), RESPONSIBLE_ID: t.RESPONSIBLE_ID, CHANGED_DATE: d(t.CHANGED_DATE),
      CLOSED_DATE: d(t.CLOSED_DATE), DEADLINE: d(t.DEADLINE), XML_ID: t.XML_ID, UF_CRM_TASK: t.UF_CRM_TASK, ACCOMPLICE: t.ACCOMPLICES, AUDITOR: t.AUDITORS,
      TAG: t.TAGS, MARK: t.MARK,
    };
  }

  /** tasks.task.* output: camelCase keys, strings for scalars, user cards for creator and responsible person. */
  render(t: Task, now: number): PhpMap {
    const o = this.core.offsetMin;
    const d = (v: number | null): string | null => (v === null ? null : isoDateTime(v, o));
    const card = (id: number): PhpMap => {
      const u = this.users(id);
      return { id: String(id), name: fullName(u), link: `/company/personal/user/${id}/`, icon: '/bitrix/images/tasks/default_avatar.png', workPosition: u?.WORK_POSITION ?? '' };
    };
    const sub = t.STATUS !== 5 && t.DEADLINE !== null && t.DEADLINE < now ? -1 : t.STATUS;
    return {
      id: String(t.ID), parentId: t.PARENT_ID === null ? null : String(t.PARENT_ID), title: t.TITLE, description: t.DESCRIPTION, mark: t.MARK || null,
      priority: String(t.PRIORITY), multitask: 'N', notViewed: 'N', replicate: 'N', groupId: String(t.GROUP_ID), stageId: '0',
      createdBy: String(t.CREATED_BY), createdDate: d(t.CREATED_DATE), responsibleId: String(t.RESPONSIBLE_ID),
      changedBy: String(t.CHANGED_BY), changedDate: d(t.CHANGED_DATE), statusChangedBy: String(t.STATUS_CHANGED_BY),
      statusChangedDate: d(t.STATUS_CHANGED_DATE), closedBy: t.CLOSED_BY === null ? null : String(t.CLOSED_BY), closedDate: d(t.CLOSED_DATE),
      activityDate: d(t.CHANGED_DATE), dateStart: null, deadline: d(t.DEADLINE), startDatePlan: d(t.START_DATE_PLAN), endDatePlan: d(t.END_DATE_PLAN),
      guid: `{${t.ID.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`, xmlId: t.XML_ID, commentsCount: '0', serviceCommentsCount: '0',
      allowChangeDeadline: t.ALLOW_CHANGE_DEADLINE, allowTimeTracking: 'N', taskControl: t.TASK_CONTROL, addInReport: 'N', isMuted: 'N',
      isPinned: 'N', descriptionInBbcode: 'Y', status: String(t.STATUS), subStatus: String(sub), favorite: 'N',
      accomplices: t.ACCOMPLICES.map(String), auditors: t.AUDITORS.map(String), ufCrmTask: t.UF_CRM_TASK, ufTaskWebdavFiles: t.UF_TASK_WEBDAV_FILES,
      tags: t.TAGS, group: [], creator: card(t.CREATED_BY), responsible: card(t.RESPONSIBLE_ID),
    };
  }
}
