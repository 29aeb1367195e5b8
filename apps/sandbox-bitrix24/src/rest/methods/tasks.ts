// tasks.task.* (add/get/list/update/complete/delete) with the tasks module's answers: `result.task`, a missing task
// on get is `"result": []`, codes "0"/"100"/ERROR_CORE as documented; events ONTASKADD/UPDATE/DELETE carry
// FIELDS_BEFORE / FIELDS_AFTER instead of FIELDS.
import { camelOf } from '../../portal/fields.ts';
import { ok, type CallCtx, type MethodTable } from '../context.ts';
import { RestError } from '../errors.ts';
import { compileFilter, paginate, readStart, sortRows, type Columns } from '../list.ts';
import { entries, int, isMap, param, str, values, type Php, type PhpMap } from '../php.ts';

function taskId(ctx: CallCtx): number {
  const v = param(ctx.params, 'taskId') ?? param(ctx.params, 'id');
  if (v === undefined) throw new RestError('100', 'CTaskItem All parameters in the constructor must have real class type (internal error)');
  const n = int(v);
  if (!(n > 0) || !/^\s*\d+\s*$/.test(str(v))) throw new RestError('0', 'wrong task id');
  return n;
}

function fields(ctx: CallCtx): PhpMap {
  const f = param(ctx.params, 'fields');
  if (!isMap(f) || Object.keys(f).length === 0) throw new RestError('100', 'Could not find value for parameter {fields} (internal error)');
  return f;
}

/** Task event payloads (docs): IDs before/after, accessibility flags the portal leaves "undefined". */
function emitTask(ctx: CallCtx, event: 'ONTASKADD' | 'ONTASKUPDATE' | 'ONTASKDELETE', id: number): void {
  const before: Php = event === 'ONTASKADD' ? 'undefined' : { ID: String(id) };
  const after: Php = event === 'ONTASKDELETE' ? 'undefined' : { ID: String(id) };
  ctx.emit(event, { FIELDS_BEFORE: before, FIELDS_AFTER: after, IS_ACCESSIBLE_BEFORE: event === 'ONTASKADD' ? 'N' : 'undefined', IS_ACCESSIBLE_AFTER: 'undefined' });
}

const TASK_COLS: Columns['kinds'] = {
  ID: 'int', PARENT_ID: 'int', TITLE: 'string', DESCRIPTION: 'string', PRIORITY: 'int', STATUS: 'int', REAL_STATUS: 'int', GROUP_ID: 'int',
  CREATED_BY: 'int', CREATED_DATE: 'date', RESPONSIBLE_ID: 'int', CHANGED_DATE: 'date', CLOSED_DATE: 'date', DEADLINE: 'date', XML_ID: 'string',
  UF_CRM_TASK: 'string', ACCOMPLICE: 'int', AUDITOR: 'int', TAG: 'string', MARK: 'string',
};

export const taskMethods: MethodTable = {
  'tasks.task.add': {
    scope: 'task',
    handler: (ctx) => {
      const t = ctx.portal.tasks.add(fields(ctx), ctx.caller.userId, ctx.now);
      emitTask(ctx, 'ONTASKADD', t.ID);
      return ok({ task: ctx.portal.tasks.render(t, ctx.now) });
    },
  },
  'tasks.task.get': {
    scope: 'task',
    handler: (ctx) => {
      const sel = param(ctx.params, 'select');
      if (sel !== undefined && !Array.isArray(sel) && !isMap(sel)) {
        throw new RestError('100', 'Invalid value {} to match with parameter {select}. Should be value of type array. (internal error)');
      }
      const t = ctx.portal.tasks.tasks.get(taskId(ctx));
      // A missing or inaccessible task is not an error here: the result is an empty array.
      return ok(t ? { task: pick(ctx.portal.tasks.render(t, ctx.now), sel) } : []);
    },
  },
  'tasks.task.update': {
    scope: 'task',
    handler: (ctx) => {
      const id = taskId(ctx);
      const t = ctx.portal.tasks.update(id, fields(ctx), ctx.caller.userId, ctx.now);
      emitTask(ctx, 'ONTASKUPDATE', id);
      return ok({ task: ctx.portal.tasks.render(t, ctx.now) });
    },
  },
  'tasks.task.complete': {
    scope: 'task',
    handler: (ctx) => {
      const id = taskId(ctx);
      const t = ctx.portal.tasks.complete(id, ctx.caller.userId, ctx.now);
      emitTask(ctx, 'ONTASKUPDATE', id);
      return ok({ task: ctx.portal.tasks.render(t, ctx.now) });
    },
  },
  'tasks.task.delete': {
    scope: 'task',
    handler: (ctx) => {
      const id = taskId(ctx);
      ctx.portal.tasks.delete(id);
      emitTask(ctx, 'ONTASKDELETE', id);
      return ok({ task: true });
    },
  },
  'tasks.task.list': {
    scope: 'task',
    handler: (ctx) => {
      const cols: Columns = { kinds: TASK_COLS, offsetMin: ctx.portal.offsetMin };
      for (const [k] of entries(param(ctx.params, 'order'))) {
        if (!(k.toUpperCase() in TASK_COLS)) throw new RestError('0', 'Invalid sorting key (internal error)');
      }
      const tasks = [...ctx.portal.tasks.tasks.values()].sort((a, b) => a.ID - b.ID);
      const rows = tasks.map((t) => ({ t, row: ctx.portal.tasks.row(t) }));
      const pred = compileFilter(param(ctx.params, 'filter'), cols);
      const matched = rows.filter((r) => pred(r.row));
      const byRow = new Map(matched.map((r) => [r.row, r.t]));
      const sorted = sortRows(matched.map((r) => r.row), param(ctx.params, 'order'), cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      const sel = param(ctx.params, 'select');
      return { result: { tasks: page.map((r) => pick(ctx.portal.tasks.render(byRow.get(r)!, ctx.now), sel)) }, next, total };
    },
  },
};

/** select takes UPPER_CASE names (RESPONSIBLE_ID) and answers in camelCase; `id` always comes back. */
function pick(task: PhpMap, sel: Php | undefined): PhpMap {
  const names = values(sel).map((x) => str(x)).filter(Boolean);
  if (names.length === 0 || names.includes('*')) return task;
  const out: PhpMap = { id: task.id ?? null };
  for (const n of names) {
    const camel = /[a-z]/.test(n) ? n : camelOf(n);
    if (camel in task) out[camel] = task[camel]!;
  }
  return out;
}
