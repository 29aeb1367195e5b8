// DMService, ДО's SOAP service (reference §2.4.2): one `execute` operation with polymorphic DM*Request types over the
// same documents, files, versions, processes and tasks the OData side shows; faults are SOAP 1.1 faults with HTTP 500.
import type { SandboxResponse } from '@esb/sandbox-kit';
import type { Infobase } from './model/infobase.ts';
import { acceptTask, executeTask, TASK_SET } from './model/processes.ts';
import { EMPTY_DATE, EMPTY_REF, isEmptyRef, UNDEFINED_TYPE, type Rec } from './model/record.ts';
import { isGuid } from './model/values.ts';
import { ODataError } from './odata/errors.ts';
import { likeToRegExp } from './odata/evaluate.ts';
import { normalizeDate } from './odata/filter.ts';
import { allFields, isA, parseExecute, soapFault, soapResponse, wsdl, XdtoError, type DMObj, type DMValue } from './xdto.ts';

export const DM_VERSION = '2.1.37.5.CORP';
const SOAP_ACTION = 'http://www.1c.ru/dm#DMService:execute';

/** DMService object types and the ДО metadata objects behind them. */
const SETS: Record<string, string> = {
  DMInternalDocument: 'Catalog_ВнутренниеДокументы',
  DMIncomingDocument: 'Catalog_ВходящиеДокументы',
  DMOutgoingDocument: 'Catalog_ИсходящиеДокументы',
  DMFile: 'Catalog_Файлы',
  DMUser: 'Catalog_Пользователи',
  DMOrganization: 'Catalog_Организации',
  DMCorrespondent: 'Catalog_Корреспонденты',
  DMInternalDocumentType: 'Catalog_ВидыВнутреннихДокументов',
  DMIncomingDocumentType: 'Catalog_ВидыВходящихДокументов',
  DMOutgoingDocumentType: 'Catalog_ВидыИсходящихДокументов',
  DMInternalDocumentFolder: 'Catalog_ПапкиВнутреннихДокументов',
  DMActivityMatter: 'Catalog_ВопросыДеятельности',
  DMBusinessProcessTargetRole: 'Catalog_РолиИсполнителей',
  DMAdditionalProperty: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  DMBusinessProcessApproval: 'BusinessProcess_Согласование',
  DMBusinessProcessConfirmation: 'BusinessProcess_Утверждение',
  DMBusinessProcessPerformance: 'BusinessProcess_Исполнение',
  DMBusinessProcessTask: TASK_SET,
  DMBusinessProcessApprovalTaskApproval: TASK_SET,
  DMBusinessProcessApprovalTaskCheckup: TASK_SET,
  DMBusinessProcessConfirmationTaskConfirmation: TASK_SET,
};

const TYPE_OF_SET: Record<string, string> = Object.fromEntries(Object.entries(SETS).filter(([t]) => !t.startsWith('DMBusinessProcess') || !t.includes('Task')).map(([t, s]) => [s, t]));
TYPE_OF_SET[TASK_SET] = 'DMBusinessProcessTask';

const TASK_TYPE_BY_POINT: Record<string, string> = { Согласовать: 'DMBusinessProcessApprovalTaskApproval', Утвердить: 'DMBusinessProcessConfirmationTaskConfirmation' };

const DOC_TYPES = ['DMInternalDocument', 'DMIncomingDocument', 'DMOutgoingDocument'];
const KIND_SET: Record<string, string> = { DMInternalDocument: 'Catalog_ВидыВнутреннихДокументов', DMIncomingDocument: 'Catalog_ВидыВходящихДокументов', DMOutgoingDocument: 'Catalog_ВидыИсходящихДокументов' };
const APPROVAL_NAMES: Record<string, string> = { Согласовано: 'Согласовано', СогласованоСЗамечаниями: 'Согласовано с замечаниями', НеСогласовано: 'Не согласовано' };
const CONFIRMATION_NAMES: Record<string, string> = { Утверждено: 'Утверждено', НеУтверждено: 'Не утверждено' };
const KIND_RU: Record<string, string> = { Catalog: 'Справочник', BusinessProcess: 'БизнесПроцесс', Task: 'Задача', ChartOfCharacteristicTypes: 'ПланВидовХарактеристик', Document: 'Документ' };

class DmFault extends Error {}

/** `e1cib/data/Справочник.X?ref=<hex>`: the GUID's groups in 1C's storage order (4, 5, 3, 2, 1). */
export function navigationRef(set: string, key: string): string {
  const [kind, name] = [set.slice(0, set.indexOf('_')), set.slice(set.indexOf('_') + 1)];
  const p = key.split('-');
  const hex = p.length === 5 ? `${p[3]}${p[4]}${p[2]}${p[1]}${p[0]}` : key;
  return `e1cib/data/${KIND_RU[kind] ?? kind}.${name}?ref=${hex}`;
}

function str(v: DMValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function asObj(v: DMValue | undefined): DMObj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function list(v: DMValue | undefined): DMValue[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function dmDate(v: unknown): string {
  const s = String(v ?? EMPTY_DATE);
  return s || EMPTY_DATE;
}

function fromDmDate(v: DMValue | undefined, field: string): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const d = normalizeDate(s.replace(/(Z|[+-]\d{2}:\d{2})$/, ''));
  if (!d && s !== '') throw new DmFault(`Неверное значение даты в свойстве ${field}: ${s}`);
  return d ?? EMPTY_DATE;
}

const bool = (v: unknown) => (v === true ? 'true' : 'false');

export class DMService {
  constructor(
    private readonly ib: Infobase,
    private readonly login: string,
  ) {}

  // ---- references -------------------------------------------------------------------------------------------------

  private objectID(set: string, key: string, type: string, presentation?: string): DMObj {
    return { $type: 'DMObjectID', id: key, ...(presentation ? { presentation } : {}), type, navigationRef: navigationRef(set, key) };
  }

  private ref(set: string, key: unknown): DMObj | undefined {
    const k = String(key ?? '');
    if (isEmptyRef(k)) return undefined;
    const rec = this.ib.get(set, k);
    const type = set === TASK_SET ? this.taskType(rec) : (TYPE_OF_SET[set] ?? 'DMObject');
    const name = rec ? this.ib.presentation(set, rec) || String(rec['Description'] ?? '') : '';
    return { $type: type, name, objectID: this.objectID(set, k, type, name) };
  }

  private compositeRef(value: unknown, type: unknown): DMObj | undefined {
    if (typeof type !== 'string' || type === UNDEFINED_TYPE || !type.startsWith('StandardODATA.')) return undefined;
    return this.ref(type.slice('StandardODATA.'.length), value);
  }

  /** The id of a referenced object in a request, checked to be a GUID. */
  private idOf(v: DMValue | undefined, field: string): string | undefined {
    const o = asObj(v);
    if (!o) return undefined;
    const id = str(asObj(o['objectID'])?.['id']);
    if (id === undefined || id === '') return EMPTY_REF;
    if (!isGuid(id)) throw new DmFault(`Неверный идентификатор объекта в свойстве ${field}: ${id}`);
    return id.toLowerCase();
  }

  private setOfRef(v: DMValue | undefined): string | undefined {
    const o = asObj(v);
    if (!o) return undefined;
    const t = str(asObj(o['objectID'])?.['type']) ?? o.$type;
    return SETS[t];
  }

  private currentUserKey(): string {
    const u = this.ib.all('Catalog_Пользователи').find((x) => String(x['Description']).toLowerCase() === this.login.toLowerCase());
    return u ? String(u['Ref_Key']) : EMPTY_REF;
  }

  private taskType(rec: Rec | undefined): string {
    return TASK_TYPE_BY_POINT[String(rec?.['RoutePoint'] ?? '')] ?? 'DMBusinessProcessTask';
  }

  private find(type: string, id: string): { set: string; rec: Rec } {
    const set = SETS[type];
    if (!set) throw new DmFault(`Неизвестный тип объекта: ${type}`);
    const rec = isGuid(id) ? this.ib.get(set, id) : undefined;
    if (!rec) throw new DmFault(`Объект не найден: ${type} ${id}`);
    return { set, rec };
  }

  // ---- objects to XDTO --------------------------------------------------------------------------------------------

  toDM(set: string, rec: Rec): DMObj {
    const key = String(rec['Ref_Key']);
    const type = set === TASK_SET ? this.taskType(rec) : TYPE_OF_SET[set]!;
    const name = this.ib.presentation(set, rec) || String(rec['Description'] ?? '');
    const base: DMObj = { $type: type, name, objectID: this.objectID(set, key, type, name) };
    const put = (o: DMObj, k: string, v: DMValue | undefined) => {
      if (v !== undefined) o[k] = v;
    };
    if (DOC_TYPES.includes(type)) {
      const o: DMObj = { ...base, name: String(rec['Description'] ?? '') };
      put(o, 'organization', this.ref('Catalog_Организации', rec['Организация_Key']));
      put(o, 'responsible', this.ref('Catalog_Пользователи', rec['Ответственный_Key']));
      put(o, 'author', this.ref('Catalog_Пользователи', rec['Подготовил_Key']));
      o['summary'] = String(rec['Содержание'] ?? '');
      o['title'] = String(rec['Заголовок'] ?? '');
      o['regNumber'] = String(rec['РегистрационныйНомер'] ?? '');
      o['regDate'] = dmDate(rec['ДатаРегистрации']);
      put(o, 'documentType', this.ref(KIND_SET[type]!, rec['ВидДокумента_Key']));
      if (type === 'DMInternalDocument') put(o, 'folder', this.ref('Catalog_ПапкиВнутреннихДокументов', rec['Папка_Key']));
      const props = ((rec['ДополнительныеРеквизиты'] as Rec[] | undefined) ?? []).map((r) => {
        const p = this.ref('ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения', r['Свойство_Key']);
        const value: DMObj = { $type: 'DMObjectAdditionalProperty', name: p ? String(p['name']) : '', ...(p ? { objectID: p['objectID']! } : {}) };
        const vt = String(r['Значение_Type'] ?? '');
        if (vt.startsWith('StandardODATA.')) put(value, 'propertyObjectValue', this.compositeRef(r['Значение'], vt));
        else value['propertySimpleValue'] = String(r['Значение'] ?? '');
        return value;
      });
      if (props.length) o['additionalProperties'] = props;
      const state = String(rec['Состояние'] ?? '');
      o['status'] = state || 'Проект';
      o['statusApproval'] = ['НаСогласовании', 'Согласован', 'НеСогласован'].includes(state) ? state : 'НеСогласовывался';
      o['statusPerformance'] = ['НаИсполнении', 'Исполнен'].includes(state) ? state : 'НеИсполнялся';
      o['statusChangeEnabled'] = 'true';
      if (type === 'DMIncomingDocument') {
        put(o, 'sender', this.ref('Catalog_Корреспонденты', rec['Отправитель_Key']));
        o['senderNumber'] = String(rec['ИсходящийНомер'] ?? '');
        o['senderDate'] = dmDate(rec['ИсходящаяДата']);
      }
      if (type === 'DMOutgoingDocument') {
        const recipients = ((rec['Получатели'] as Rec[] | undefined) ?? []).map((r) => this.ref('Catalog_Корреспонденты', r['Получатель_Key'])).filter((x): x is DMObj => !!x);
        if (recipients.length) o['recipients'] = recipients;
      }
      return o;
    }
    if (type === 'DMFile') return this.fileToDM(rec, false);
    if (type === 'DMUser') return { ...base, email: String(rec['АдресЭП'] ?? ''), position: String(rec['Должность'] ?? '') };
    if (type === 'DMOrganization' || type === 'DMCorrespondent') return { ...base, inn: String(rec['ИНН'] ?? ''), kpp: String(rec['КПП'] ?? '') };
    if (set.startsWith('BusinessProcess_')) return this.processToDM(set, rec, base);
    if (set === TASK_SET) return this.taskToDM(rec, base);
    return base;
  }

  private performerToDM(r: Rec, orderCol: string, resultCol: string, commentCol: string): DMObj {
    const p: DMObj = { $type: 'DMBusinessProcessPerformer' };
    const user = this.compositeRef(r['Исполнитель'], r['Исполнитель_Type']);
    if (user) p['user'] = user;
    p['personalDueDate'] = dmDate(r['СрокИсполнения']);
    if (r[orderCol]) p['order'] = String(r[orderCol]);
    if ('ОтветственныйИсполнитель' in r) p['responsible'] = bool(r['ОтветственныйИсполнитель']);
    p['executed'] = bool(r['Пройден']);
    if (resultCol && r[resultCol]) p['result'] = String(r[resultCol]);
    if (r[commentCol]) p['comment'] = String(r[commentCol]);
    const task = this.ref(TASK_SET, r['ЗадачаИсполнителя_Key']);
    if (task) p['task'] = task;
    return p;
  }

  private processToDM(set: string, rec: Rec, base: DMObj): DMObj {
    const o: DMObj = { ...base, name: String(rec['Наименование'] || base['name']) };
    const author = this.ref('Catalog_Пользователи', rec['Автор_Key']);
    if (author) o['author'] = author;
    o['importance'] = String(rec['Важность'] || 'Обычная');
    o['description'] = String(rec['Описание'] ?? '');
    o['dueDate'] = dmDate(rec['СрокИсполнения']);
    const target = this.compositeRef(rec['Предмет'], rec['Предмет_Type']);
    if (target) o['target'] = target;
    o['started'] = bool(rec['Started']);
    o['completed'] = bool(rec['Completed']);
    o['state'] = String(rec['Состояние'] ?? '');
    const rows = (rec['Исполнители'] as Rec[] | undefined) ?? [];
    if (set === 'BusinessProcess_Согласование') {
      o['approvalType'] = String(rec['ВариантСогласования'] || 'Параллельно');
      o['performers'] = rows.map((r) => this.performerToDM(r, 'ПорядокСогласования', 'РезультатСогласования', 'Комментарий'));
      if (rec['РезультатСогласования']) o['result'] = String(rec['РезультатСогласования']);
    } else if (set === 'BusinessProcess_Утверждение') {
      const user = this.compositeRef(rec['Утверждающий'], rec['Утверждающий_Type']);
      o['performer'] = { $type: 'DMBusinessProcessPerformer', ...(user ? { user } : {}), executed: bool(rec['Completed']) };
      if (rec['РезультатУтверждения']) o['result'] = String(rec['РезультатУтверждения']);
      if (rec['КомментарийУтверждающего']) o['resultComment'] = String(rec['КомментарийУтверждающего']);
    } else {
      o['performanceType'] = String(rec['ВариантИсполнения'] || 'Параллельно');
      o['performers'] = rows.map((r) => this.performerToDM(r, 'ПорядокВыполнения', '', 'РезультатВыполнения'));
    }
    return o;
  }

  private taskToDM(rec: Rec, base: DMObj): DMObj {
    const o: DMObj = { ...base, name: String(rec['Description'] ?? '') };
    const put = (k: string, v: DMValue | undefined) => {
      if (v !== undefined) o[k] = v;
    };
    put('author', this.ref('Catalog_Пользователи', rec['Автор_Key']));
    put('performer', this.compositeRef(rec['Исполнитель'], rec['Исполнитель_Type']));
    o['beginDate'] = dmDate(rec['Date']);
    o['dueDate'] = dmDate(rec['СрокИсполнения']);
    o['endDate'] = dmDate(rec['ДатаИсполнения']);
    o['accepted'] = bool(rec['ПринятаКИсполнению']);
    o['acceptDate'] = dmDate(rec['ДатаПринятияКИсполнению']);
    o['executed'] = bool(rec['Executed']);
    o['executionComment'] = String(rec['РезультатВыполнения'] ?? '');
    put('businessProcess', this.compositeRef(rec['BusinessProcess'], rec['BusinessProcess_Type']));
    put('target', this.compositeRef(rec['Предмет'], rec['Предмет_Type']));
    o['description'] = String(rec['Описание'] ?? '');
    o['importance'] = String(rec['Важность'] || 'Обычная');
    o['routePoint'] = String(rec['RoutePoint'] ?? '');
    const approval = String(rec['РезультатСогласования'] ?? '');
    if (o.$type === 'DMBusinessProcessApprovalTaskApproval' && approval) o['approvalResult'] = { $type: 'DMApprovalResult', name: APPROVAL_NAMES[approval] ?? approval, objectID: { $type: 'DMObjectID', id: approval, type: 'DMApprovalResult' } };
    const conf = String(rec['РезультатУтверждения'] ?? '');
    if (o.$type === 'DMBusinessProcessConfirmationTaskConfirmation' && conf) o['confirmationResult'] = { $type: 'DMConfirmationResult', name: CONFIRMATION_NAMES[conf] ?? conf, objectID: { $type: 'DMObjectID', id: conf, type: 'DMConfirmationResult' } };
    return o;
  }

  private currentVersion(file: Rec): Rec | undefined {
    return this.ib.get('Catalog_ВерсииФайлов', String(file['ТекущаяВерсия_Key'] ?? ''));
  }

  private versionData(version: Rec | undefined): string {
    if (!version) return '';
    const rec = this.ib.recordsOf('InformationRegister_ДвоичныеДанныеФайлов').find((r) => r['Файл'] === version['Ref_Key']);
    return String(rec?.['ДвоичныеДанныеФайла_Base64Data'] ?? '');
  }

  private fileToDM(rec: Rec, withData: boolean, version?: Rec): DMObj {
    const key = String(rec['Ref_Key']);
    const name = String(rec['Description'] ?? '');
    const v = version ?? this.currentVersion(rec);
    const o: DMObj = { $type: 'DMFile', name, objectID: this.objectID('Catalog_Файлы', key, 'DMFile', name) };
    if (withData) o['binaryData'] = this.versionData(v);
    o['extension'] = String(rec['Расширение'] ?? '');
    o['size'] = String(v?.['Размер'] ?? rec['Размер'] ?? 0);
    o['creationDate'] = dmDate(rec['ДатаСоздания']);
    o['modificationDate'] = dmDate(v?.['ДатаСоздания'] ?? rec['ДатаМодификацииУниверсальная']);
    o['modificationDateUniversal'] = dmDate(rec['ДатаМодификацииУниверсальная']);
    const author = this.ref('Catalog_Пользователи', rec['Автор_Key']);
    if (author) o['author'] = author;
    o['signed'] = bool(rec['ПодписанЭП']);
    o['encrypted'] = bool(rec['Зашифрован']);
    const owner = this.compositeRef(rec['ВладелецФайла'], rec['ВладелецФайла_Type']);
    if (owner) o['owner'] = owner;
    o['versionNumber'] = String(v?.['НомерВерсии'] ?? 0);
    return o;
  }

  // ---- XDTO to objects --------------------------------------------------------------------------------------------

  private docBody(type: string, o: DMObj, creating: boolean): Record<string, unknown> {
    const b: Record<string, unknown> = {};
    const name = str(o['name']);
    const title = str(o['title']);
    if (name !== undefined || (creating && title !== undefined)) b['Description'] = name || title || '';
    if (title !== undefined || (creating && name !== undefined)) b['Заголовок'] = title ?? name ?? '';
    if (o['summary'] !== undefined) b['Содержание'] = str(o['summary']) ?? '';
    if (o['regNumber'] !== undefined) b['РегистрационныйНомер'] = str(o['regNumber']) ?? '';
    const regDate = fromDmDate(o['regDate'], 'regDate');
    if (regDate) b['ДатаРегистрации'] = regDate;
    const refs: Array<[string, string]> = [
      ['organization', 'Организация_Key'],
      ['responsible', 'Ответственный_Key'],
      ['author', 'Подготовил_Key'],
      ['documentType', 'ВидДокумента_Key'],
      ...(type === 'DMInternalDocument' ? ([['folder', 'Папка_Key']] as Array<[string, string]>) : []),
      ...(type === 'DMIncomingDocument' ? ([['sender', 'Отправитель_Key']] as Array<[string, string]>) : []),
    ];
    for (const [f, p] of refs) {
      const id = this.idOf(o[f], f);
      if (id !== undefined) b[p] = id;
    }
    if (type === 'DMIncomingDocument') {
      if (o['senderNumber'] !== undefined) b['ИсходящийНомер'] = str(o['senderNumber']) ?? '';
      const d = fromDmDate(o['senderDate'], 'senderDate');
      if (d) b['ИсходящаяДата'] = d;
    }
    if (type === 'DMOutgoingDocument' && o['recipients'] !== undefined) b['Получатели'] = list(o['recipients']).map((r, i) => ({ LineNumber: String(i + 1), Получатель_Key: this.idOf(r, 'recipients') }));
    if (o['additionalProperties'] !== undefined && type === 'DMInternalDocument') {
      b['ДополнительныеРеквизиты'] = list(o['additionalProperties']).map((p, i) => {
        const po = asObj(p)!;
        const obj = asObj(po['propertyObjectValue']);
        const simple = str(po['propertySimpleValue']) ?? '';
        const set = this.setOfRef(obj);
        return {
          LineNumber: String(i + 1),
          Свойство_Key: this.idOf(po, 'additionalProperties'),
          ...(obj && set ? { Значение: this.idOf(obj, 'propertyObjectValue'), Значение_Type: `StandardODATA.${set}` } : /^\d{4}-\d{2}-\d{2}T/.test(simple) ? { Значение: normalizeDate(simple) ?? simple, Значение_Type: 'Edm.DateTime' } : { Значение: simple, Значение_Type: 'Edm.String' }),
          ТекстоваяСтрока: obj ? '' : simple,
        };
      });
    }
    if (creating) {
      b['ДатаСоздания'] = this.ib.now();
      if (b['Подготовил_Key'] === undefined) b['Подготовил_Key'] = this.currentUserKey();
      b['Состояние'] = 'Проект';
    }
    return b;
  }

  private processBody(set: string, o: DMObj): Record<string, unknown> {
    const b: Record<string, unknown> = {
      Наименование: str(o['name']) ?? '',
      Автор_Key: this.idOf(o['author'], 'author') ?? this.currentUserKey(),
      Важность: str(o['importance']) || 'Обычная',
      Описание: str(o['description']) ?? '',
    };
    const due = fromDmDate(o['dueDate'], 'dueDate');
    if (due) b['СрокИсполнения'] = due;
    const target = asObj(o['target']);
    if (target) {
      const tset = this.setOfRef(target);
      if (!tset) throw new DmFault('Не определен тип предмета бизнес-процесса (target)');
      b['Предмет'] = this.idOf(target, 'target');
      b['Предмет_Type'] = `StandardODATA.${tset}`;
    }
    const performer = (p: DMValue, i: number, orderCol: string) => {
      const po = asObj(p)!;
      const user = asObj(po['user']);
      const uset = user ? this.setOfRef(user) : undefined;
      if (!user || !uset) throw new DmFault(`Не указан исполнитель в строке ${i + 1} (performers/user)`);
      const row: Record<string, unknown> = { LineNumber: String(i + 1), Исполнитель: this.idOf(user, 'user'), Исполнитель_Type: `StandardODATA.${uset}` };
      const pd = fromDmDate(po['personalDueDate'], 'personalDueDate');
      if (pd) row['СрокИсполнения'] = pd;
      const order = str(po['order']);
      if (order) row[orderCol] = order;
      if (po['responsible'] !== undefined) row['ОтветственныйИсполнитель'] = str(po['responsible']) === 'true';
      return row;
    };
    if (set === 'BusinessProcess_Согласование') {
      b['ВариантСогласования'] = str(o['approvalType']) || 'Параллельно';
      b['Исполнители'] = list(o['performers']).map((p, i) => performer(p, i, 'ПорядокСогласования'));
    } else if (set === 'BusinessProcess_Утверждение') {
      const p = asObj(o['performer']);
      const user = asObj(p?.['user']);
      const uset = user ? this.setOfRef(user) : undefined;
      if (user && uset) {
        b['Утверждающий'] = this.idOf(user, 'performer/user');
        b['Утверждающий_Type'] = `StandardODATA.${uset}`;
      }
    } else {
      b['ВариантИсполнения'] = str(o['performanceType']) || 'Параллельно';
      b['Исполнители'] = list(o['performers']).map((p, i) => performer(p, i, 'ПорядокВыполнения'));
    }
    return b;
  }

  // ---- operations -------------------------------------------------------------------------------------------------

  async execute(type: string, req: DMObj): Promise<DMObj> {
    switch (type) {
      case 'DMGetVersionRequest':
        return { $type: 'DMGetVersionResponse', versionNumber: DM_VERSION };
      case 'DMGetCurrentUserRequest': {
        const key = this.currentUserKey();
        const user = isEmptyRef(key) ? { $type: 'DMUser', name: this.login, objectID: { $type: 'DMObjectID', id: '', type: 'DMUser' } } : this.toDM('Catalog_Пользователи', this.ib.get('Catalog_Пользователи', key)!);
        return { $type: 'DMGetCurrentUserResponse', user };
      }
      case 'DMGetSettingsRequest':
        return {
          $type: 'DMGetSettingsResponse',
          settings: [
            { $type: 'DMSetting', name: 'ВерсияСервиса', value: DM_VERSION },
            { $type: 'DMSetting', name: 'ХранитьФайлыВТомахНаДиске', value: 'false' },
            { $type: 'DMSetting', name: 'ИспользоватьЭлектронныеПодписи', value: 'false' },
          ],
        };
      case 'DMGetObjectListRequest':
        return this.objectList(req);
      case 'DMRetrieveRequest':
        return {
          $type: 'DMRetrieveResponse',
          objects: list(req['objectIds']).map((x) => {
            const id = asObj(x)!;
            const { set, rec } = this.find(str(id['type']) ?? '', str(id['id']) ?? '');
            return this.toDM(set, rec);
          }),
        };
      case 'DMGetNewObjectRequest':
        return { $type: 'DMGetNewObjectResponse', object: this.newObject(str(req['type'])!) };
      case 'DMCreateRequest':
        return { $type: 'DMCreateResponse', object: this.create(asObj(req['object'])!) };
      case 'DMUpdateRequest': {
        const out: DMObj[] = [];
        for (const o of list(req['objects'])) out.push(await this.update(asObj(o)!));
        return { $type: 'DMUpdateResponse', objects: out };
      }
      case 'DMDeleteRequest':
        return {
          $type: 'DMDeleteResponse',
          objectIds: list(req['objectIds']).map((x) => {
            const id = asObj(x)!;
            const { set, rec } = this.find(str(id['type']) ?? '', str(id['id']) ?? '');
            this.ib.patchInternal(set, String(rec['Ref_Key']), { DeletionMark: true });
            return id;
          }),
        };
      case 'DMAddFileRequest':
        return { $type: 'DMAddFileResponse', file: this.addFile(asObj(req['file'])!, asObj(req['owner'])) };
      case 'DMGetFileRequest': {
        const f = asObj(req['file'])!;
        const { rec } = this.find('DMFile', str(asObj(f['objectID'])?.['id']) ?? '');
        const n = str(req['versionNumber']);
        const version = n ? this.ib.all('Catalog_ВерсииФайлов').find((v) => v['Owner_Key'] === rec['Ref_Key'] && String(v['НомерВерсии']) === n) : undefined;
        if (n && !version) throw new DmFault(`Версия ${n} файла "${String(rec['Description'])}" не найдена`);
        return { $type: 'DMGetFileResponse', file: this.fileToDM(rec, true, version) };
      }
      case 'DMGetFileListByOwnerRequest':
        return {
          $type: 'DMGetFileListByOwnerResponse',
          items: list(req['owners']).map((o) => {
            const owner = asObj(o)!;
            const id = this.idOf(owner, 'owners');
            const files = this.ib.all('Catalog_Файлы').filter((f) => f['ВладелецФайла'] === id && f['DeletionMark'] !== true);
            return { $type: 'DMFileOwnerItem', owner, files: files.map((f) => this.fileToDM(f, false)) };
          }),
        };
      case 'DMAcceptTasksRequest':
        return {
          $type: 'DMAcceptTasksResponse',
          tasks: list(req['tasks']).map((t) => {
            const id = this.idOf(t, 'tasks') ?? '';
            this.find('DMBusinessProcessTask', id);
            return this.toDM(TASK_SET, acceptTask(this.ib, id));
          }),
        };
      case 'DMGetNewBusinessProcessRequest':
        return { $type: 'DMGetNewBusinessProcessResponse', businessProcess: this.newProcess(str(req['type'])!, asObj(req['targetID'])) };
      case 'DMLaunchBusinessProcessRequest':
        return this.launch(asObj(req['businessProcess'])!);
      case 'DMGetApprovalSheetRequest':
        return this.approvalSheet(asObj(req['object'])!);
      default:
        throw new DmFault(`Тип запроса ${type} не поддерживается`);
    }
  }

  private objectList(req: DMObj): DMObj {
    const type = str(req['type'])!;
    if (type === 'DMInternalDocumentTemplate') return { $type: 'DMGetObjectListResponse', items: [], tooManyObjects: 'false' };
    const set = SETS[type];
    if (!set) throw new DmFault(`Неизвестный тип объекта: ${type}`);
    const query = asObj(req['query']);
    const limit = Number(str(query?.['limit']) ?? 0);
    let recs = this.ib.all(set).filter((r) => r['DeletionMark'] !== true);
    if (set === TASK_SET) {
      let withExecuted = false;
      for (const c of list(query?.['conditions'])) {
        const co = asObj(c)!;
        const prop = str(co['property']);
        const value = str(co['value']) ?? '';
        if (prop === 'withExecuted') withExecuted = value === 'true';
        if (prop === 'byUser') {
          const user = isGuid(value) ? value.toLowerCase() : this.currentUserKey();
          recs = recs.filter((r) => r['Исполнитель'] === user);
        }
      }
      if (!withExecuted) recs = recs.filter((r) => r['Executed'] !== true);
      if (type !== 'DMBusinessProcessTask') recs = recs.filter((r) => this.taskType(r) === type);
    }
    for (const c of list(query?.['conditions'])) {
      const co = asObj(c)!;
      const prop = str(co['property'])!;
      if (set === TASK_SET && ['byUser', 'withExecuted', 'typed'].includes(prop)) continue;
      const op = (str(co['comparisonOperator']) || '=').toUpperCase();
      const value = str(co['value']) ?? '';
      recs = recs.filter((r) => {
        const actual = this.fieldValue(type, set, r, prop);
        switch (op) {
          case '=':
            return actual.toLowerCase() === value.toLowerCase();
          case '<>':
            return actual.toLowerCase() !== value.toLowerCase();
          case 'LIKE':
            return likeToRegExp(value.includes('%') || value.includes('_') ? value : `%${value}%`).test(actual);
          case '>=':
            return actual >= value;
          case '<=':
            return actual <= value;
          case '>':
            return actual > value;
          case '<':
            return actual < value;
          default:
            throw new DmFault(`Неизвестный оператор сравнения: ${op}`);
        }
      });
    }
    const total = recs.length;
    if (limit > 0) recs = recs.slice(0, limit);
    const columns = list(req['columnSet']).map((c) => String(c));
    const fields = new Set(allFields(set === TASK_SET ? 'DMBusinessProcessTask' : type).map((f) => f.name));
    for (const c of columns) if (!fields.has(c)) throw new DmFault(`Поле объекта не обнаружено (${c})`);
    const items = recs.map((r) => {
      const full = this.toDM(set, r);
      const object = columns.length ? (Object.fromEntries(Object.entries(full).filter(([k]) => k === '$type' || k === 'objectID' || columns.includes(k))) as DMObj) : full;
      return { $type: 'DMObjectListItem', object };
    });
    return { $type: 'DMGetObjectListResponse', items, tooManyObjects: bool(limit > 0 && total > limit) };
  }

  /** A DM property of an object as text, for list conditions (dates as ISO, references by id). */
  private fieldValue(type: string, set: string, rec: Rec, prop: string): string {
    const o = this.toDM(set, rec);
    if (!allFields(o.$type).some((f) => f.name === prop)) throw new DmFault(`Поле объекта не обнаружено (${prop})`);
    const v = o[prop];
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    const one = asObj(v);
    return one ? (str(asObj(one['objectID'])?.['id']) ?? '') : '';
  }

  private newObject(type: string): DMObj {
    if (!SETS[type] && type !== 'DMInternalDocumentTemplate') throw new DmFault(`Неизвестный тип объекта: ${type}`);
    const user = this.ref('Catalog_Пользователи', this.currentUserKey());
    const o: DMObj = { $type: type, name: '', objectID: { $type: 'DMObjectID', id: '', type } };
    if (DOC_TYPES.includes(type)) {
      if (user) {
        o['responsible'] = user;
        o['author'] = user;
      }
      o['summary'] = '';
      o['title'] = '';
      o['regNumber'] = '';
      o['regDate'] = EMPTY_DATE;
      o['status'] = 'Проект';
    }
    return o;
  }

  private create(o: DMObj): DMObj {
    const type = o.$type;
    const set = SETS[type];
    if (!set || set === TASK_SET) throw new DmFault(set === TASK_SET ? 'Задачи создаются только бизнес-процессами' : `Создание объектов типа ${type} не поддерживается`);
    if (set.startsWith('BusinessProcess_')) throw new DmFault('Бизнес-процессы создаются запросом DMLaunchBusinessProcessRequest');
    if (type === 'DMFile') throw new DmFault('Файлы добавляются запросом DMAddFileRequest');
    const body = DOC_TYPES.includes(type) ? this.docBody(type, o, true) : { Description: str(o['name']) ?? '' };
    const rec = this.ib.create(set, body);
    return this.toDM(set, rec);
  }

  private async update(o: DMObj): Promise<DMObj> {
    const id = str(asObj(o['objectID'])?.['id']) ?? '';
    const type = isA(o.$type, 'DMBusinessProcessTask') ? 'DMBusinessProcessTask' : o.$type;
    const { set } = this.find(type, id);
    if (set === TASK_SET) {
      if (str(o['accepted']) === 'true') acceptTask(this.ib, id);
      if (str(o['executed']) === 'true') {
        const approval = str(asObj(asObj(o['approvalResult'])?.['objectID'])?.['id']);
        const confirmation = str(asObj(asObj(o['confirmationResult'])?.['objectID'])?.['id']);
        await executeTask(this.ib, id, {
          ...(approval ? { РезультатСогласования: approval } : {}),
          ...(confirmation ? { РезультатУтверждения: confirmation } : {}),
          РезультатВыполнения: str(o['executionComment']) ?? '',
        });
      }
      return this.toDM(TASK_SET, this.ib.get(TASK_SET, id)!);
    }
    if (DOC_TYPES.includes(type)) return this.toDM(set, this.ib.updateNow(set, id, this.docBody(type, o, false)));
    if (type === 'DMFile') {
      const name = str(o['name']);
      return this.toDM(set, name !== undefined ? this.ib.updateNow(set, id, { Description: name }) : this.ib.get(set, id)!);
    }
    throw new DmFault(`Изменение объектов типа ${type} не поддерживается`);
  }

  private addFile(file: DMObj, ownerObj: DMObj | undefined): DMObj {
    const data = str(file['binaryData']);
    if (data === undefined) throw new DmFault('Не переданы двоичные данные файла (binaryData)');
    const clean = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new DmFault('Двоичные данные файла не в формате base64');
    const size = Buffer.from(clean, 'base64').length;
    const name = str(file['name']) ?? '';
    const ext = (str(file['extension']) ?? (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '')).replace(/^\./, '');
    const existingId = str(asObj(file['objectID'])?.['id']);
    const now = this.ib.now();
    const author = this.currentUserKey();
    let fileRec: Rec;
    if (existingId && isGuid(existingId) && this.ib.get('Catalog_Файлы', existingId)) {
      fileRec = this.ib.get('Catalog_Файлы', existingId)!;
    } else {
      const owner = ownerObj ?? asObj(file['owner']);
      const ownerSet = this.setOfRef(owner);
      const ownerId = this.idOf(owner, 'owner');
      if (!owner || !ownerSet || !ownerId || !this.ib.get(ownerSet, ownerId)) throw new DmFault('Не указан или не найден владелец файла (owner)');
      fileRec = this.ib.create(
        'Catalog_Файлы',
        {
          Description: name.replace(new RegExp(`\\.${ext}$`), '') || name,
          ВладелецФайла: ownerId,
          ВладелецФайла_Type: `StandardODATA.${ownerSet}`,
          Расширение: ext,
          Автор_Key: author,
          ДатаСоздания: fromDmDate(file['creationDate'], 'creationDate') ?? now,
        },
        { internal: true },
      );
    }
    const fileKey = String(fileRec['Ref_Key']);
    const versions = this.ib.all('Catalog_ВерсииФайлов').filter((v) => v['Owner_Key'] === fileKey);
    const number = versions.reduce((m, v) => Math.max(m, Number(v['НомерВерсии'])), 0) + 1;
    const version = this.ib.create(
      'Catalog_ВерсииФайлов',
      { Owner_Key: fileKey, Description: String(fileRec['Description']), НомерВерсии: number, Расширение: ext, Размер: size, Автор_Key: author, ДатаСоздания: now, ДатаМодификацииУниверсальная: now, ТипХраненияФайла: 'ВИнформационнойБазе' },
      { internal: true },
    );
    this.ib.upsertRecord('InformationRegister_ДвоичныеДанныеФайлов', {
      Файл: version['Ref_Key']!,
      Файл_Type: 'StandardODATA.Catalog_ВерсииФайлов',
      ДвоичныеДанныеФайла_Base64Data: clean,
      ДвоичныеДанныеФайла_Type: 'application/octet-stream',
    });
    const updated = this.ib.patchInternal('Catalog_Файлы', fileKey, { ТекущаяВерсия_Key: version['Ref_Key']!, Размер: size, Расширение: ext, ДатаМодификацииУниверсальная: now });
    return this.fileToDM(updated, false);
  }

  private newProcess(type: string, targetID: DMObj | undefined): DMObj {
    const set = SETS[type];
    if (!set?.startsWith('BusinessProcess_')) throw new DmFault(`Неизвестный тип бизнес-процесса: ${type}`);
    const o: DMObj = { $type: type, name: '', objectID: { $type: 'DMObjectID', id: '', type } };
    const author = this.ref('Catalog_Пользователи', this.currentUserKey());
    if (author) o['author'] = author;
    o['importance'] = 'Обычная';
    if (targetID) {
      const tset = SETS[str(targetID['type']) ?? ''];
      const tid = str(targetID['id']) ?? '';
      const target = tset && isGuid(tid) ? this.ref(tset, tid) : undefined;
      if (!target) throw new DmFault(`Предмет бизнес-процесса не найден: ${str(targetID['type']) ?? ''} ${tid}`);
      o['target'] = target;
      o['name'] = `${this.ib.model.synonymOf(set)}: ${String(target['name'])}`;
    }
    o['started'] = 'false';
    o['completed'] = 'false';
    if (type === 'DMBusinessProcessApproval') o['approvalType'] = 'Параллельно';
    if (type === 'DMBusinessProcessPerformance') o['performanceType'] = 'Параллельно';
    return o;
  }

  private async launch(o: DMObj): Promise<DMObj> {
    const set = SETS[o.$type];
    if (!set?.startsWith('BusinessProcess_')) throw new DmFault(`Неизвестный тип бизнес-процесса: ${o.$type}`);
    const rec = this.ib.create(set, this.processBody(set, o), { internal: true });
    const key = String(rec['Ref_Key']);
    try {
      await this.ib.startProcess(set, key);
    } catch (e) {
      this.ib.remove(set, key);
      throw e;
    }
    const tasks = this.ib.all(TASK_SET).filter((t) => t['BusinessProcess'] === key);
    return { $type: 'DMLaunchBusinessProcessResponse', businessProcess: this.toDM(set, this.ib.get(set, key)!), tasks: tasks.map((t) => this.toDM(TASK_SET, t)) };
  }

  private approvalSheet(object: DMObj): DMObj {
    const id = this.idOf(object, 'object');
    const items: DMObj[] = [];
    for (const bp of this.ib.all('BusinessProcess_Согласование').filter((b) => b['Предмет'] === id)) {
      for (const r of (bp['Исполнители'] as Rec[] | undefined) ?? []) {
        if (r['Пройден'] !== true) continue;
        const user = this.ib.get('Catalog_Пользователи', String(r['Исполнитель']));
        items.push({
          $type: 'DMApprovalSheetItem',
          name: user ? String(user['Description']) : '',
          position: user ? String(user['Должность'] ?? '') : '',
          date: dmDate(r['ДатаСогласования']),
          result: APPROVAL_NAMES[String(r['РезультатСогласования'])] ?? String(r['РезультатСогласования'] ?? ''),
          comment: String(r['Комментарий'] ?? ''),
        });
      }
    }
    return { $type: 'DMGetApprovalSheetResponse', items };
  }
}

const xml = (status: number, body: string): SandboxResponse => ({ status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body });

export async function handleDMService(ib: Infobase, login: string, method: string, search: URLSearchParams, headers: Record<string, string | string[] | undefined>, body: Buffer, location: string): Promise<SandboxResponse> {
  if (method === 'GET' && (search.has('wsdl') || search.has('WSDL'))) return xml(200, wsdl(location));
  if (method !== 'POST') return { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' }, body: 'Method Not Allowed' };
  if (ib.model.names.family !== 'dm') return xml(500, soapFault(`Веб-сервис DMService не опубликован в информационной базе ${ib.name} (${ib.model.profile.title})`));
  const action = typeof headers['soapaction'] === 'string' ? headers['soapaction'].replace(/^"|"$/g, '') : undefined;
  if (action && action !== SOAP_ACTION) return xml(500, soapFault(`Неизвестное действие SOAPAction: ${action}`, 'soap:Client'));
  try {
    const { type, request } = parseExecute(body.toString('utf8').replace(/^\ufeff/, ''));
    const result = await new DMService(ib, login).execute(type, request);
    return xml(200, soapResponse(result));
  } catch (e) {
    if (e instanceof XdtoError || e instanceof DmFault) return xml(500, soapFault(e.message));
    if (e instanceof ODataError) return xml(500, soapFault(e.message));
    throw e;
  }
}
