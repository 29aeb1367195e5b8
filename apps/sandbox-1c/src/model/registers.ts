// Register virtual tables (reference §1.8): Balance, Turnovers, BalanceAndTurnovers, SliceLast, SliceFirst, with
// `Condition` applied before aggregation and columns named `<Resource>Balance`, `<Resource>Receipt`, …
import type { RegisterDef, VirtualTable } from '../profiles/compile.ts';
import { errors } from '../odata/errors.ts';
import type { Evaluator } from '../odata/evaluate.ts';
import { parseFilter, type Lit } from '../odata/filter.ts';
import { emptyValue, type Rec, type Shape } from './record.ts';
import type { Infobase } from './infobase.ts';

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function dateParam(params: Map<string, Lit>, name: string): string | undefined {
  const v = params.get(name);
  if (!v || v.t === 'null') return undefined;
  if (v.t === 'datetime') return v.v;
  throw errors.badValue(name, v.t === 'string' ? v.v : v.t);
}

export function recordShape(reg: RegisterDef): Shape {
  return { byWire: reg.recordByWire, navs: reg.navs, tables: [] };
}

export function virtualTableShape(reg: RegisterDef, fn: VirtualTable): Shape {
  return { byWire: new Map(fn.props.map((p) => [p.name, p])), navs: reg.navs, tables: [] };
}

export function computeVirtualTable(ib: Infobase, reg: RegisterDef, fn: VirtualTable, params: Map<string, Lit>, ev: Evaluator): Rec[] {
  for (const k of params.keys()) if (!fn.params.some((p) => p.name === k)) throw errors.badUrl(`неизвестный параметр ${k} функции ${fn.name}`);
  const cond = params.get('Condition');
  const condition = cond && cond.t === 'string' && cond.v.trim() ? parseFilter(cond.v) : undefined;
  const shape = recordShape(reg);
  if (condition) ev.validate(condition, shape);
  const records = ib.recordsOf(reg.set).filter((r) => r['Active'] !== false && (!condition || ev.test(condition, { shape, data: r, set: reg.set })));

  if (fn.name === 'SliceLast' || fn.name === 'SliceFirst') {
    const at = dateParam(params, 'Period');
    const last = fn.name === 'SliceLast';
    const dimKeys = reg.dims.flatMap((d) => (d.kind === 'ref' ? [`${d.name}_Key`] : d.kind === 'composite' ? [d.name, `${d.name}_Type`] : [d.name]));
    const best = new Map<string, Rec>();
    for (const r of records) {
      const p = String(r['Period']);
      if (at && (last ? p > at : p < at)) continue;
      const k = dimKeys.map((d) => String(r[d])).join('|');
      const cur = best.get(k);
      if (!cur || (last ? p >= String(cur['Period']) : p < String(cur['Period']))) best.set(k, r);
    }
    return [...best.values()].map((r) => ({ ...r }));
  }

  const dimsParam = params.get('Dimensions');
  const wanted = dimsParam && dimsParam.t === 'string' && dimsParam.v.trim() ? dimsParam.v.split(',').map((s) => s.trim().replace(/_Key$/, '')) : undefined;
  if (wanted) for (const w of wanted) if (!reg.dims.some((d) => d.name === w)) throw errors.badValue('Dimensions', w);
  const groupDims = reg.dims.filter((d) => !wanted || wanted.includes(d.name));
  const groupKeys = groupDims.flatMap((d) => (d.kind === 'ref' ? [`${d.name}_Key`] : d.kind === 'composite' ? [d.name, `${d.name}_Type`] : [d.name]));
  const start = dateParam(params, 'StartPeriod');
  const end = dateParam(params, 'EndPeriod');
  const period = dateParam(params, 'Period');

  interface Acc {
    dims: Rec;
    opening: Record<string, number>;
    receipt: Record<string, number>;
    expense: Record<string, number>;
  }
  const groups = new Map<string, Acc>();
  const resources = reg.resources.map((r) => r.name);
  const zero = () => Object.fromEntries(resources.map((r) => [r, 0]));
  for (const r of records) {
    const p = String(r['Period']);
    const k = groupKeys.map((g) => String(r[g])).join('|');
    let acc = groups.get(k);
    if (!acc) {
      acc = { dims: Object.fromEntries(groupKeys.map((g) => [g, r[g] ?? null])), opening: zero(), receipt: zero(), expense: zero() };
      groups.set(k, acc);
    }
    const expense = r['RecordType'] === 'Expense';
    for (const res of resources) {
      const v = Number(r[res] ?? 0);
      if (fn.name === 'Balance') {
        // Balance(Period) is the balance at the start of that moment: records before it.
        if (!period || p < period) acc.opening[res]! += expense ? -v : v;
      } else {
        const before = start !== undefined && p < start;
        const after = end !== undefined && p > end;
        if (before) acc.opening[res]! += expense ? -v : v;
        else if (!after) {
          if (expense) acc.expense[res]! += v;
          else acc.receipt[res]! += v;
        }
      }
    }
  }

  const out: Rec[] = [];
  for (const acc of groups.values()) {
    const row: Rec = {};
    for (const p of fn.props) row[p.name] = p.name in acc.dims ? acc.dims[p.name]! : emptyValue(p);
    let nonZero = false;
    for (const res of resources) {
      const o = round(acc.opening[res]!);
      const rc = round(acc.receipt[res]!);
      const ex = round(acc.expense[res]!);
      const set = (name: string, v: number) => {
        if (`${res}${name}` in row) {
          row[`${res}${name}`] = v;
          if (v !== 0) nonZero = true;
        }
      };
      if (fn.name === 'Balance') set('Balance', o);
      else if (fn.name === 'Turnovers') {
        set('Receipt', rc);
        set('Expense', ex);
        set('Turnover', round(rc - ex));
      } else {
        set('OpeningBalance', o);
        set('Receipt', rc);
        set('Expense', ex);
        set('Turnover', round(rc - ex));
        set('ClosingBalance', round(o + rc - ex));
      }
    }
    // 1C's virtual tables drop rows where every resource is zero.
    if (nonZero) out.push(row);
  }
  return out;
}
