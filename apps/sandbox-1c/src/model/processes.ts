// ДО business processes (approval with parallel/sequential/mixed stages, confirmation, performance): starting emits
// tasks for the first stage; executing a task records the result, opens the next stage or completes the process.
import { errors } from '../odata/errors.ts';
import { EMPTY_REF, isEmptyRef, UNDEFINED_TYPE, type Rec } from './record.ts';
import type { Infobase } from './infobase.ts';

export const TASK_SET = 'Task_ЗадачаИсполнителя';
const APPROVAL = 'BusinessProcess_Согласование';
const CONFIRMATION = 'BusinessProcess_Утверждение';
const PERFORMANCE = 'BusinessProcess_Исполнение';

const ROUTE_POINT: Record<string, string> = { [APPROVAL]: 'Согласовать', [CONFIRMATION]: 'Утвердить', [PERFORMANCE]: 'Исполнить' };
const DOC_STATE_ACTIVE: Record<string, string> = { [APPROVAL]: 'НаСогласовании', [CONFIRMATION]: 'НаУтверждении', [PERFORMANCE]: 'НаИсполнении' };

function rows(rec: Rec): Rec[] {
  return (rec['Исполнители'] as Rec[] | undefined) ?? [];
}

/** Stage index of each performer row: «Параллельно» = one stage, «Последовательно» = one per row, «Смешанно» by row order. */
export function stagesOf(bp: Rec, set: string): number[] {
  const variant = String(bp[set === APPROVAL ? 'ВариантСогласования' : 'ВариантИсполнения'] || 'Параллельно');
  const orderCol = set === APPROVAL ? 'ПорядокСогласования' : 'ПорядокВыполнения';
  let stage = -1;
  return rows(bp).map((r, i) => {
    if (variant === 'Параллельно') return 0;
    if (variant === 'Последовательно') return i;
    if (i === 0 || r[orderCol] !== 'ВместеСПредыдущим') stage++;
    return Math.max(stage, 0);
  });
}

function subjectOf(ib: Infobase, bp: Rec): { value: string; type: string; text: string } {
  const type = String(bp['Предмет_Type'] ?? UNDEFINED_TYPE);
  const value = String(bp['Предмет'] ?? '');
  return { value, type, text: type === UNDEFINED_TYPE ? '' : ib.refPresentation(type, value) };
}

function setDocumentState(ib: Infobase, bp: Rec, state: string): void {
  const { value, type } = subjectOf(ib, bp);
  if (!type.startsWith('StandardODATA.') || isEmptyRef(value)) return;
  const set = type.slice('StandardODATA.'.length);
  if (ib.get(set, value) && ib.model.objects.get(set)?.byWire.has('Состояние')) ib.patchInternal(set, value, { Состояние: state });
}

function createTask(ib: Infobase, set: string, bp: Rec, performer: { value: unknown; type: unknown }, due: unknown): Rec {
  const subject = subjectOf(ib, bp);
  const author = ib.get('Catalog_Пользователи', String(bp['Автор_Key'] ?? EMPTY_REF));
  const point = ROUTE_POINT[set]!;
  const task = ib.create(
    TASK_SET,
    {
      Description: `${point}: ${subject.text || String(bp['Наименование'] ?? '')}`.slice(0, 150),
      BusinessProcess: bp['Ref_Key'],
      BusinessProcess_Type: `StandardODATA.${set}`,
      Исполнитель: performer.value,
      Исполнитель_Type: performer.type,
      Автор_Key: bp['Автор_Key'] ?? EMPTY_REF,
      АвторСтрокой: author ? String(author['Description']) : '',
      СрокИсполнения: due && due !== '0001-01-01T00:00:00' ? due : bp['СрокИсполнения'],
      Предмет: subject.value,
      Предмет_Type: subject.type,
      ПредметСтрокой: subject.text,
      Описание: bp['Описание'] ?? '',
      Важность: bp['Важность'] || 'Обычная',
    },
    { internal: true },
  );
  return ib.patchInternal(TASK_SET, String(task['Ref_Key']), { RoutePoint: point });
}

/** Creates tasks for the first stage that still has open performers; returns false when every row is done. */
function openNextStage(ib: Infobase, set: string, bp: Rec): boolean {
  const list = rows(bp);
  const stages = stagesOf(bp, set);
  const pending = list.map((r, i) => ({ r, i })).filter(({ r }) => r['Пройден'] !== true);
  if (!pending.length) return false;
  const stage = Math.min(...pending.map(({ i }) => stages[i]!));
  const updated = list.map((r, i) => {
    if (stages[i] !== stage || r['Пройден'] === true || !isEmptyRef(r['ЗадачаИсполнителя_Key'])) return r;
    const task = createTask(ib, set, bp, { value: r['Исполнитель'], type: r['Исполнитель_Type'] }, r['СрокИсполнения']);
    return { ...r, ЗадачаИсполнителя_Key: String(task['Ref_Key']) };
  });
  ib.patchInternal(set, String(bp['Ref_Key']), { Исполнители: updated });
  return true;
}

function complete(ib: Infobase, set: string, key: string, changes: Rec, docState: string): Rec {
  const bp = ib.patchInternal(set, key, { ...changes, Completed: true, Состояние: 'Завершен', ДатаЗавершения: ib.now() });
  setDocumentState(ib, bp, docState);
  return bp;
}

export async function startProcess(ib: Infobase, set: string, key: string): Promise<Rec> {
  const def = ib.objectDef(set);
  if (def.kind !== 'BusinessProcess') throw errors.methodNotFound('Start');
  const bp = ib.get(set, key);
  if (!bp) throw errors.notFound(def.spec.name);
  if (bp['Started'] === true) throw errors.business(`Бизнес-процесс "${ib.presentation(set, bp)}" уже стартован`);
  if (set === CONFIRMATION) {
    if (bp['Утверждающий_Type'] === UNDEFINED_TYPE || isEmptyRef(bp['Утверждающий'])) throw errors.business('Поле "Утверждающий" не заполнено');
  } else if (!rows(bp).length) throw errors.business('Не заполнен список "Исполнители"');
  let cur = ib.patchInternal(set, key, { Started: true, Состояние: 'Активен' });
  if (set === CONFIRMATION) createTask(ib, set, cur, { value: cur['Утверждающий'], type: cur['Утверждающий_Type'] }, cur['СрокИсполнения']);
  else openNextStage(ib, set, cur);
  cur = ib.get(set, key)!;
  setDocumentState(ib, cur, DOC_STATE_ACTIVE[set] ?? 'Проект');
  return cur;
}

export interface TaskResult {
  /** Approval result: Согласовано, СогласованоСЗамечаниями, НеСогласовано. */
  РезультатСогласования?: unknown;
  /** Confirmation result: Утверждено, НеУтверждено. */
  РезультатУтверждения?: unknown;
  /** The performer's comment. */
  РезультатВыполнения?: unknown;
}

export async function executeTask(ib: Infobase, key: string, result: TaskResult): Promise<Rec> {
  const task = ib.get(TASK_SET, key);
  if (!task) throw errors.notFound('ЗадачаИсполнителя');
  if (task['Executed'] === true) throw errors.business(`Задача "${String(task['Description'])}" уже выполнена`);
  const set = String(task['BusinessProcess_Type'] ?? '').replace(/^StandardODATA\./, '');
  const bpKey = String(task['BusinessProcess'] ?? '');
  const bp = ib.get(set, bpKey);
  const comment = typeof result.РезультатВыполнения === 'string' ? result.РезультатВыполнения : '';
  const approval = typeof result.РезультатСогласования === 'string' ? result.РезультатСогласования : '';
  const confirmation = typeof result.РезультатУтверждения === 'string' ? result.РезультатУтверждения : '';
  if (set === APPROVAL && !ib.model.enums['РезультатыСогласования']!.includes(approval)) throw errors.business('Не указан результат согласования (Согласовано, СогласованоСЗамечаниями или НеСогласовано)');
  if (set === CONFIRMATION && !ib.model.enums['РезультатыУтверждения']!.includes(confirmation)) throw errors.business('Не указан результат утверждения (Утверждено или НеУтверждено)');
  const done = ib.patchInternal(TASK_SET, key, {
    Executed: true,
    ДатаИсполнения: ib.now(),
    ПринятаКИсполнению: true,
    ...(task['ДатаПринятияКИсполнению'] === '0001-01-01T00:00:00' ? { ДатаПринятияКИсполнению: ib.now() } : {}),
    РезультатВыполнения: comment,
    ...(approval ? { РезультатСогласования: approval } : {}),
    ...(confirmation ? { РезультатУтверждения: confirmation } : {}),
  });
  if (!bp || bp['Completed'] === true) return done;

  if (set === CONFIRMATION) {
    complete(ib, set, bpKey, { РезультатУтверждения: confirmation, КомментарийУтверждающего: comment }, confirmation === 'Утверждено' ? 'Утвержден' : 'НеУтвержден');
    return ib.get(TASK_SET, key)!;
  }
  const list = rows(bp).map((r) =>
    r['ЗадачаИсполнителя_Key'] === key
      ? set === APPROVAL
        ? { ...r, Пройден: true, РезультатСогласования: approval, Комментарий: comment, ДатаСогласования: ib.now() }
        : { ...r, Пройден: true, РезультатВыполнения: comment }
      : r,
  );
  const cur = ib.patchInternal(set, bpKey, { Исполнители: list });
  const stages = stagesOf(cur, set);
  const stage = stages[list.findIndex((r) => r['ЗадачаИсполнителя_Key'] === key)] ?? 0;
  const stageDone = list.every((r, i) => stages[i] !== stage || r['Пройден'] === true);
  if (!stageDone) return ib.get(TASK_SET, key)!;
  if (set === APPROVAL) {
    const results = list.filter((r) => r['Пройден'] === true).map((r) => String(r['РезультатСогласования']));
    // A «Не согласовано» ends the route at the end of its stage; later stages never start.
    if (results.includes('НеСогласовано')) complete(ib, set, bpKey, { РезультатСогласования: 'НеСогласовано' }, 'НеСогласован');
    else if (!openNextStage(ib, set, cur)) complete(ib, set, bpKey, { РезультатСогласования: results.includes('СогласованоСЗамечаниями') ? 'СогласованоСЗамечаниями' : 'Согласовано' }, 'Согласован');
  } else if (!openNextStage(ib, set, cur)) complete(ib, set, bpKey, {}, 'Исполнен');
  return ib.get(TASK_SET, key)!;
}

export function acceptTask(ib: Infobase, key: string): Rec {
  const task = ib.get(TASK_SET, key);
  if (!task) throw errors.notFound('ЗадачаИсполнителя');
  return ib.patchInternal(TASK_SET, key, { ПринятаКИсполнению: true, ДатаПринятияКИсполнению: ib.now() });
}
