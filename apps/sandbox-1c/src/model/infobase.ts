// One infobase: its model, objects and register records in memory, users, session pool, and the write path 1C applies
// (validation, autonumbering, DataVersion per write, table parts replaced whole, posting by the rules, physical DELETE).
import { randomUUID } from 'node:crypto';
import type { ObjectDef, RegisterDef, TableDef, WireProp } from '../profiles/compile.ts';
import { modelOf, type Model } from '../profiles/index.ts';
import { errors, ODataError, CODES } from '../odata/errors.ts';
import { EMPTY_DATE, EMPTY_REF, UNDEFINED_TYPE, emptyValue, type Rec, type Scalar, type Shape } from './record.ts';
import { coerce, coerceComposite, isGuid, parseBind } from './values.ts';
import { executeTask, startProcess } from './processes.ts';
import { rulesFor, type Rules } from './rules.ts';

export interface UserSpec {
  name: string;
  password: string;
  /** Users without write rights get 401 / code 20 on POST/PATCH/PUT/DELETE/Post/Unpost. */
  readOnly?: boolean;
}

export interface InfobaseConfig {
  name: string;
  profile: string;
  users?: UserSpec[];
  /** Sessions the publication may run at once (`poolSize` in default.vrd). */
  poolSize?: number;
  /** How long a request waits for a free session before failing (`poolTimeout`, here in milliseconds). */
  poolTimeoutMs?: number;
  /** The server's wall-clock zone: 1C dates are naive, written in this zone. */
  timezone?: string;
  numberPrefix?: string;
  /** Honour `If-Match` with 412 as the documentation says (default: ignore it, as real servers do). */
  strictIfMatch?: boolean;
  /** Prefix `/$count` bodies with a UTF-8 BOM, as some servers do. */
  countBom?: boolean;
  /** Entity sets in the standard interface's composition (default: everything the profile has). */
  publish?: string[];
}

export interface PostingErrorRule {
  document: RegExp;
  message: string;
  count?: number;
}

const SLEEP = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Infobase {
  readonly model: Model;
  readonly objects = new Map<string, Map<string, Rec>>();
  readonly records = new Map<string, Rec[]>();
  readonly users = new Map<string, UserSpec>();
  readonly rules: Rules;
  poolSize: number;
  poolTimeoutMs: number;
  strictIfMatch: boolean;
  countBom: boolean;
  publish: Set<string> | undefined;
  timezone: string;
  numberPrefix: string;
  slowPosting: { ms: number; document?: RegExp } = { ms: 0 };
  postingErrors: PostingErrorRule[] = [];
  private version = 0;
  private counters = new Map<string, number>();
  private active = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly config: InfobaseConfig) {
    this.model = modelOf(config.profile);
    for (const set of this.model.objects.keys()) this.objects.set(set, new Map());
    for (const set of this.model.registers.keys()) this.records.set(set, []);
    for (const u of config.users ?? []) this.users.set(u.name, u);
    this.poolSize = config.poolSize ?? 10;
    this.poolTimeoutMs = config.poolTimeoutMs ?? 5000;
    this.strictIfMatch = config.strictIfMatch ?? false;
    this.countBom = config.countBom ?? true;
    this.publish = config.publish ? new Set(config.publish) : undefined;
    this.timezone = config.timezone ?? 'Europe/Moscow';
    this.numberPrefix = config.numberPrefix ?? this.model.profile.numberPrefix;
    this.rules = rulesFor(this.model);
  }

  get name(): string {
    return this.config.name;
  }

  isPublished(set: string): boolean {
    return !this.publish || this.publish.has(set);
  }

  // ---- sessions -------------------------------------------------------------------------------------------------

  get activeSessions(): number {
    return this.active;
  }

  /** Takes a session from the publication pool, waiting up to poolTimeout; resolves to a release function or `undefined`. */
  async acquire(): Promise<(() => void) | undefined> {
    const release = () => {
      this.active--;
      this.waiters.shift()?.();
    };
    if (this.active < this.poolSize) {
      this.active++;
      return release;
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.active++;
        resolve(release);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(undefined);
      }, this.poolTimeoutMs);
      this.waiters.push(wake);
    });
  }

  // ---- clock and versions ---------------------------------------------------------------------------------------

  /** Naive server wall-clock time `YYYY-MM-DDTHH:MM:SS`. */
  now(): string {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: this.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date())
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  }

  /** DataVersion: an opaque base64 of 8 bytes that changes on every write («AAAAAQAAAAA=» for the first one). */
  nextVersion(): string {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(++this.version, 0);
    return b.toString('base64');
  }

  // ---- reading --------------------------------------------------------------------------------------------------

  objectDef(set: string): ObjectDef {
    const d = this.model.objects.get(set);
    if (!d) throw errors.typeNotFound(set);
    return d;
  }

  registerDef(set: string): RegisterDef {
    const d = this.model.registers.get(set);
    if (!d) throw errors.typeNotFound(set);
    return d;
  }

  get(set: string, key: string): Rec | undefined {
    return this.objects.get(set)?.get(key.toLowerCase());
  }

  all(set: string): Rec[] {
    return [...(this.objects.get(set)?.values() ?? [])];
  }

  shapeOf(set: string): Shape {
    const d = this.model.objects.get(set);
    if (d) return { byWire: d.byWire, navs: d.navs, tables: d.tables };
    const r = this.model.registers.get(set);
    if (r) return { byWire: r.recordByWire, navs: r.navs, tables: [] };
    throw errors.typeNotFound(set);
  }

  lookup(set: string, key: string): { shape: Shape; data: Rec } | undefined {
    const data = this.get(set, key);
    return data ? { shape: this.shapeOf(set), data } : undefined;
  }

  /** 1C's presentation of a reference: a catalog's Description, «Заказ клиента УТ00-000001 от 05.02.2025 12:00:00» for documents. */
  presentation(set: string, rec: Rec | undefined): string {
    if (!rec) return '';
    const def = this.model.objects.get(set);
    if (!def) return '';
    if (def.kind === 'Document' || def.kind === 'BusinessProcess') {
      const name = def.kind === 'BusinessProcess' && rec['Наименование'] ? String(rec['Наименование']) : `${def.spec.synonym} ${String(rec['Number'] ?? '')} от ${formatDate(String(rec['Date'] ?? EMPTY_DATE))}`;
      return name;
    }
    return String(rec['Description'] ?? rec['Code'] ?? '');
  }

  refPresentation(type: string, key: string): string {
    const set = type.startsWith('StandardODATA.') ? type.slice('StandardODATA.'.length) : type;
    return this.presentation(set, this.get(set, key));
  }

  // ---- writing objects ------------------------------------------------------------------------------------------

  blank(def: ObjectDef): Rec {
    const rec: Rec = {};
    for (const p of def.props) rec[p.name] = emptyValue(p);
    for (const t of def.tables) rec[t.name] = [];
    return rec;
  }

  private applyProps(byWire: Map<string, WireProp>, target: Rec, body: Record<string, unknown>, tables: TableDef[], attrsOf: (name: string) => WireProp['attr'] | undefined): void {
    const composites = new Set<string>();
    for (const [k, v] of Object.entries(body)) {
      if (k.startsWith('odata.') || k.endsWith('@odata.type') || k.endsWith('@navigationLinkUrl') || k.includes('____Presentation')) continue;
      if (k.endsWith('@odata.bind')) {
        const name = k.slice(0, -'@odata.bind'.length);
        const a = attrsOf(name);
        if (!a) continue;
        const { set, key } = parseBind(k, v);
        if (a.kind === 'ref') {
          if (set !== a.target) throw errors.badValue(k, v);
          target[`${name}_Key`] = key;
        } else if (a.kind === 'composite') {
          if (!a.types!.includes(set)) throw errors.badValue(k, v);
          target[name] = key;
          target[`${name}_Type`] = `StandardODATA.${set}`;
        }
        continue;
      }
      const table = tables.find((t) => t.name === k);
      if (table) {
        target[k] = this.rows(table, v);
        continue;
      }
      const p = byWire.get(k);
      if (!p || p.attr.readOnly || k === 'Ref_Key') continue;
      if (p.attr.kind === 'composite') {
        composites.add(p.attr.name);
        continue;
      }
      if (p.attr.kind === 'storage') {
        target[k] = coerce(this.model, p, v);
        if (p.role === 'base64' && !(`${p.attr.name}_Type` in body)) target[`${p.attr.name}_Type`] = 'application/octet-stream';
        continue;
      }
      target[k] = coerce(this.model, p, v);
    }
    for (const name of composites) {
      const a = attrsOf(name)!;
      const value = name in body ? body[name] : target[name];
      let type = `${name}_Type` in body ? body[`${name}_Type`] : target[`${name}_Type`];
      if ((type === undefined || type === UNDEFINED_TYPE) && value !== '' && value !== null && value !== undefined) {
        // A value without its `_Type` is only unambiguous when the attribute allows a single reference type.
        const refs = a.types!.filter((t) => !t.startsWith('Edm.'));
        if (refs.length === 1 && a.types!.length === 1) type = `StandardODATA.${refs[0]}`;
        else throw errors.badValue(`${name}_Type`, type ?? null);
      }
      const c = coerceComposite(name, a.types!, value, type);
      target[name] = c.value;
      target[`${name}_Type`] = c.type;
    }
  }

  /** Table parts are written whole; a row without LineNumber makes 1C's OData layer fail with 500 / code -1. */
  private rows(table: TableDef, v: unknown): Rec[] {
    if (!Array.isArray(v)) throw errors.badValue(table.name, v);
    return v.map((row: unknown, i) => {
      if (!row || typeof row !== 'object' || Array.isArray(row)) throw errors.badValue(table.name, row);
      const r = row as Record<string, unknown>;
      if (r['LineNumber'] === undefined || r['LineNumber'] === null || r['LineNumber'] === '') throw errors.internal();
      const out: Rec = {};
      for (const p of table.props) out[p.name] = emptyValue(p);
      this.applyProps(table.byWire, out, r, [], (n) => table.attrs.find((a) => a.name === n));
      out['LineNumber'] = i + 1;
      return out;
    });
  }

  private assertWritable(def: ObjectDef): void {
    if (def.kind === 'Task' && this.rules.tasksFromProcessesOnly) throw errors.business('Задачи создаются только бизнес-процессами');
  }

  create(set: string, body: Record<string, unknown>, opts: { internal?: boolean; loadMode?: boolean } = {}): Rec {
    const def = this.objectDef(set);
    if (!opts.internal) this.assertWritable(def);
    const map = this.objects.get(set)!;
    const rec = this.blank(def);
    const given = body['Ref_Key'];
    if (given !== undefined && given !== null && given !== '' && given !== EMPTY_REF) {
      if (!isGuid(given)) throw errors.badValue('Ref_Key', given);
      if (map.has(given.toLowerCase())) throw errors.keyExists(set);
      rec['Ref_Key'] = given.toLowerCase();
    } else rec['Ref_Key'] = randomUUID();
    this.applyProps(def.byWire, rec, body, def.tables, (n) => def.attrs.get(n));
    if (opts.internal) {
      // Seeds and internal writes may set what clients cannot (predefined items, posting flags are applied later).
      for (const k of ['Predefined', 'PredefinedDataName'] as const) if (k in body && def.byWire.has(k)) rec[k] = body[k] as Scalar;
    }
    this.fillStandard(def, rec);
    // Data-load mode (header 1C_OData-DataLoadMode) skips the configuration's handlers, as ОбменДанными.Загрузка does.
    if (!opts.loadMode) this.rules.beforeWrite(this, def, rec, undefined);
    rec['DataVersion'] = this.nextVersion();
    map.set(String(rec['Ref_Key']), rec);
    if (!opts.loadMode) this.rules.afterWrite(this, def, rec);
    return rec;
  }

  private fillStandard(def: ObjectDef, rec: Rec): void {
    if (def.byWire.has('Date') && (rec['Date'] === EMPTY_DATE || !rec['Date'])) rec['Date'] = this.now();
    if (def.byWire.has('Number') && !rec['Number']) rec['Number'] = this.nextNumber(def);
    if (def.byWire.has('Code')) {
      const len = def.spec.codeLength ?? 9;
      if (!String(rec['Code'] ?? '').trim()) rec['Code'] = this.nextCode(def);
      if (def.spec.fixedCode) rec['Code'] = String(rec['Code']).slice(0, len).padEnd(len, ' ');
    }
  }

  private nextNumber(def: ObjectDef): string {
    const used = new Set(this.all(def.set).map((r) => r['Number']));
    const prefix = def.kind === 'Document' ? `${this.numberPrefix}-` : '';
    const width = def.kind === 'Document' ? 6 : (def.spec.numberLength ?? 9);
    for (;;) {
      const n = (this.counters.get(def.set) ?? 0) + 1;
      this.counters.set(def.set, n);
      const num = `${prefix}${String(n).padStart(width, '0')}`;
      if (!used.has(num)) return num;
    }
  }

  private nextCode(def: ObjectDef): string {
    const len = def.spec.codeLength ?? 9;
    const used = new Set(this.all(def.set).map((r) => String(r['Code']).trim()));
    for (;;) {
      const n = (this.counters.get(`${def.set}#code`) ?? 0) + 1;
      this.counters.set(`${def.set}#code`, n);
      const code = def.spec.codeStyle === 'prefixed' ? `00-${String(n).padStart(len - 3, '0')}` : String(n).padStart(len, '0');
      if (!used.has(code)) return code;
    }
  }

  private checkIfMatch(rec: Rec, ifMatch: string | undefined): void {
    // Real servers ignore If-Match (observed); the documented 412 is available per infobase for connectors that rely on it.
    if (!this.strictIfMatch || ifMatch === undefined || ifMatch === '*') return;
    const tag = ifMatch.replace(/^W\//, '').replace(/^"|"$/g, '');
    if (tag !== rec['DataVersion']) throw new ODataError(412, CODES.internal, 'Версия данных объекта изменилась с момента чтения (DataVersion не совпадает с If-Match)');
  }

  /** PATCH/PUT. Re-posting a posted document goes through the posting delay and injected posting errors. */
  async update(set: string, key: string, body: Record<string, unknown>, opts: { put?: boolean; ifMatch?: string; loadMode?: boolean } = {}): Promise<Rec> {
    const def = this.objectDef(set);
    const old = this.get(set, key);
    if (old?.['Posted'] === true && def.kind === 'Document' && !opts.loadMode) await this.beforePosting(def, old);
    return this.updateNow(set, key, body, opts);
  }

  updateNow(set: string, key: string, body: Record<string, unknown>, opts: { put?: boolean; ifMatch?: string; loadMode?: boolean } = {}): Rec {
    const def = this.objectDef(set);
    const old = this.get(set, key);
    if (!old) throw errors.notFound(def.spec.name);
    this.checkIfMatch(old, opts.ifMatch);
    let next: Rec;
    if (opts.put) {
      // PUT replaces the object: what is not sent becomes empty, standard read-only attributes stay.
      next = this.blank(def);
      for (const k of ['Ref_Key', 'Posted', 'Predefined', 'PredefinedDataName', 'Number', 'Code']) if (k in old) next[k] = old[k]!;
    } else next = structuredClone(old);
    this.applyProps(def.byWire, next, body, def.tables, (n) => def.attrs.get(n));
    this.fillStandard(def, next);
    if (!opts.loadMode) this.rules.beforeWrite(this, def, next, old);
    if (old['Posted'] === true && def.kind === 'Document' && !opts.loadMode) {
      // Writing a posted document re-posts it (as the form's «Записать» does); a posting failure rejects the write.
      this.postCore(def, next, false);
    }
    next['DataVersion'] = this.nextVersion();
    this.objects.get(set)!.set(String(next['Ref_Key']), next);
    if (!opts.loadMode) this.rules.afterWrite(this, def, next);
    if (next['Posted'] === true && !opts.loadMode) this.rules.afterPosting(this, def, next);
    return next;
  }

  remove(set: string, key: string, opts: { ifMatch?: string } = {}): void {
    const def = this.objectDef(set);
    const rec = this.get(set, key);
    if (!rec) throw errors.notFound(def.spec.name);
    this.checkIfMatch(rec, opts.ifMatch);
    if (rec['Predefined'] === true) throw errors.business(`Удаление предопределенного элемента "${this.presentation(set, rec)}" запрещено`);
    this.objects.get(set)!.delete(String(rec['Ref_Key']));
    // Deleting a recorder deletes its movements, like the platform does on physical deletion.
    for (const reg of this.model.registers.values()) if (reg.subordinate) this.writeMovements(reg.set, set, String(rec['Ref_Key']), []);
    this.rules.afterDelete(this, def, rec);
  }

  // ---- posting --------------------------------------------------------------------------------------------------

  /** `/Post`: the slow-posting delay and injected errors apply, then the configuration's posting. */
  async post(set: string, key: string, operational = false): Promise<Rec> {
    const def = this.objectDef(set);
    const rec = this.get(set, key);
    if (!rec) throw errors.notFound(def.spec.name);
    if (!def.actions.includes('Post')) throw errors.methodNotFound('Post');
    await this.beforePosting(def, rec);
    return this.postNow(set, key, operational);
  }

  private async beforePosting(def: ObjectDef, rec: Rec): Promise<void> {
    if (this.slowPosting.ms > 0 && (!this.slowPosting.document || this.slowPosting.document.test(def.set))) await SLEEP(this.slowPosting.ms);
    const injected = this.postingErrors.find((r) => r.document.test(def.set));
    if (injected) {
      if (injected.count !== undefined && --injected.count <= 0) this.postingErrors = this.postingErrors.filter((r) => r !== injected);
      const title = this.presentation(def.set, rec);
      throw errors.business(injected.message.includes('Не удалось провести') ? injected.message : `Не удалось провести "${title}"!\n${injected.message}`);
    }
  }

  /** Posting without delays or injected errors (seeds, internal use). */
  postNow(set: string, key: string, operational = false): Rec {
    const def = this.objectDef(set);
    const rec = this.get(set, key);
    if (!rec) throw errors.notFound(def.spec.name);
    if (!def.actions.includes('Post')) throw errors.methodNotFound('Post');
    const next = structuredClone(rec);
    this.postCore(def, next, operational);
    next['Posted'] = true;
    next['DataVersion'] = this.nextVersion();
    this.objects.get(set)!.set(String(next['Ref_Key']), next);
    this.rules.afterPosting(this, def, next);
    return next;
  }

  private postCore(def: ObjectDef, rec: Rec, operational: boolean): void {
    const title = this.presentation(def.set, rec);
    if (rec['DeletionMark'] === true) throw errors.business(`Не удалось провести "${title}"!\nПомеченный на удаление документ не может быть проведен`);
    // The platform posts operationally only on the current date: a document dated earlier must be posted non-operationally.
    if (operational && String(rec['Date']).slice(0, 10) < this.now().slice(0, 10)) throw errors.business(`Не удалось провести "${title}"!\nОперативное проведение документа задним числом невозможно`);
    const problems = this.rules.check(this, def, rec, operational);
    if (problems.length) throw errors.business(`Не удалось провести "${title}"!\n${problems.join('\n')}`);
    const movements = this.rules.movements(this, def, rec);
    const shortage = this.rules.checkMovements(this, def, rec, movements);
    if (shortage.length) throw errors.business(`Не удалось провести "${title}"!\n${shortage.join('\n')}`);
    const recorder = String(rec['Ref_Key']);
    for (const reg of this.model.registers.values()) {
      if (!reg.subordinate || !reg.spec.recorders!.includes(def.set)) continue;
      this.writeMovements(reg.set, def.set, recorder, movements[reg.set] ?? [], String(rec['Date']));
    }
  }

  unpost(set: string, key: string): Rec {
    const def = this.objectDef(set);
    const rec = this.get(set, key);
    if (!rec) throw errors.notFound(def.spec.name);
    if (!def.actions.includes('Unpost')) throw errors.methodNotFound('Unpost');
    for (const reg of this.model.registers.values()) if (reg.subordinate && reg.spec.recorders!.includes(set)) this.writeMovements(reg.set, set, key.toLowerCase(), []);
    const next: Rec = { ...rec, Posted: false, DataVersion: this.nextVersion() };
    this.objects.get(set)!.set(String(next['Ref_Key']), next);
    this.rules.afterPosting(this, def, next);
    return next;
  }

  /** Business processes and tasks (ДО): start a process, execute a performer task. */
  async startProcess(set: string, key: string): Promise<Rec> {
    return startProcess(this, set, key);
  }

  async executeTask(set: string, key: string, result: Record<string, unknown>): Promise<Rec> {
    if (set !== 'Task_ЗадачаИсполнителя') throw errors.methodNotFound('ExecuteTask');
    return executeTask(this, key, result);
  }

  /** Changes an object from inside the configuration (no client-side validation), with a new DataVersion. */
  patchInternal(set: string, key: string, changes: Rec): Rec {
    const rec = this.get(set, key);
    if (!rec) throw errors.notFound(this.objectDef(set).spec.name);
    const next = { ...rec, ...changes, DataVersion: this.nextVersion() };
    this.objects.get(set)!.set(String(rec['Ref_Key']), next);
    return next;
  }

  // ---- registers ------------------------------------------------------------------------------------------------

  /** Replaces a recorder's records in a subordinate register (Period defaults to the document date). */
  writeMovements(register: string, recorderSet: string, recorder: string, rows: Rec[], period?: string): void {
    const reg = this.registerDef(register);
    const kept = (this.records.get(register) ?? []).filter((r) => !(r['Recorder'] === recorder && r['Recorder_Type'] === `StandardODATA.${recorderSet}`));
    const added = rows.map((row, i) => {
      const out: Rec = {};
      for (const p of reg.recordProps) out[p.name] = emptyValue(p);
      Object.assign(out, row);
      out['Recorder'] = recorder;
      out['Recorder_Type'] = `StandardODATA.${recorderSet}`;
      out['LineNumber'] = i + 1;
      if (!('Active' in row)) out['Active'] = true;
      if (reg.periodic && (!row['Period'] || row['Period'] === EMPTY_DATE)) out['Period'] = period ?? this.now();
      return out;
    });
    this.records.set(register, [...kept, ...added]);
  }

  /** Writes a record of an independent register, replacing the one with the same key (a record manager's Записать()). */
  upsertRecord(register: string, row: Rec): Rec {
    const reg = this.registerDef(register);
    const out: Rec = {};
    for (const p of reg.recordProps) out[p.name] = emptyValue(p);
    Object.assign(out, row);
    const same = (r: Rec) => reg.recordKeys.every((k) => String(r[k]).toLowerCase() === String(out[k]).toLowerCase());
    const list = this.records.get(register)!;
    const i = list.findIndex(same);
    if (i >= 0) list[i] = out;
    else list.push(out);
    return out;
  }

  deleteRecords(register: string, pred: (r: Rec) => boolean): number {
    const list = this.records.get(register)!;
    const kept = list.filter((r) => !pred(r));
    this.records.set(register, kept);
    return list.length - kept.length;
  }

  /** A register record from client JSON (dimensions, resources, attributes, Period, Active, RecordType). */
  coerceRecord(register: string, body: Record<string, unknown>, existing?: Rec): Rec {
    const reg = this.registerDef(register);
    const out: Rec = existing ? structuredClone(existing) : {};
    if (!existing) for (const p of reg.recordProps) out[p.name] = emptyValue(p);
    const attrs = [...reg.dims, ...reg.resources, ...reg.attributes];
    const byWire = new Map([...reg.recordByWire].filter(([n, p]) => !p.attr.readOnly && !n.startsWith('Recorder')));
    this.applyProps(byWire, out, body, [], (n) => attrs.find((a) => a.name === n));
    if (reg.recordByWire.has('RecordType')) {
      if (!out['RecordType']) out['RecordType'] = 'Receipt';
      else if (out['RecordType'] !== 'Receipt' && out['RecordType'] !== 'Expense') throw errors.badValue('RecordType', out['RecordType']);
    }
    return out;
  }

  /** Client writes to an independent register record (`POST/PATCH InformationRegister_X`). */
  writeRecordFromBody(register: string, body: Record<string, unknown>, existing?: Rec): Rec {
    const out = this.coerceRecord(register, body, existing);
    if (existing) this.deleteRecords(register, (r) => r === existing);
    return this.upsertRecord(register, out);
  }

  recordsOf(register: string): Rec[] {
    return this.records.get(register) ?? [];
  }

  // ---- dump -----------------------------------------------------------------------------------------------------

  dump(): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const [set, m] of this.objects) if (m.size) data[set] = [...m.values()];
    for (const [set, r] of this.records) if (r.length) data[set] = r;
    return data;
  }

  summary(): Record<string, unknown> {
    const counts: Record<string, number> = {};
    for (const [set, m] of this.objects) if (m.size) counts[set] = m.size;
    for (const [set, r] of this.records) if (r.length) counts[set] = r.length;
    return {
      name: this.name,
      profile: this.model.profile.id,
      title: this.model.profile.title,
      users: [...this.users.values()].map((u) => ({ name: u.name, readOnly: !!u.readOnly })),
      poolSize: this.poolSize,
      poolTimeoutMs: this.poolTimeoutMs,
      activeSessions: this.active,
      strictIfMatch: this.strictIfMatch,
      slowPostingMs: this.slowPosting.ms,
      counts,
    };
  }
}

/** 1C's default date presentation: «05.02.2025 9:05:00» (hours not padded). */
export function formatDate(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(d);
  if (!m) return d;
  return `${m[3]}.${m[2]}.${m[1]} ${Number(m[4])}:${m[5]}:${m[6]}`;
}
