// DMService's XDTO package (namespace http://www.1c.ru/dm) as data: each type's element sequence, which drives reading
// requests with XDTO's order check, writing responses and the WSDL. Names beyond the reference's are UNCONFIRMED.
import { XMLParser } from 'fast-xml-parser';
import { esc } from './xml.ts';

export const DM_NS = 'http://www.1c.ru/dm';

export interface Field {
  name: string;
  /** A type of this table, or a simple type: string, boolean, dateTime, decimal, int, base64Binary, anySimpleType. */
  type: string;
  required?: boolean;
  many?: boolean;
}

export interface XType {
  base?: string;
  abstract?: boolean;
  fields: Field[];
}

const f = (name: string, type: string, opts: { required?: boolean; many?: boolean } = {}): Field => ({ name, type, ...opts });
const obj = (name: string) => f(name, 'DMObject');

export const TYPES: Record<string, XType> = {
  DMObjectID: { fields: [f('id', 'string'), f('presentation', 'string'), f('type', 'string'), f('navigationRef', 'string')] },
  DMExternalObject: { fields: [f('name', 'string'), f('id', 'string'), f('type', 'string')] },
  DMObject: { abstract: true, fields: [f('name', 'string'), f('objectID', 'DMObjectID'), f('externalObject', 'DMExternalObject')] },
  DMUser: { base: 'DMObject', fields: [f('email', 'string'), f('position', 'string')] },
  DMOrganization: { base: 'DMObject', fields: [f('inn', 'string'), f('kpp', 'string')] },
  DMCorrespondent: { base: 'DMObject', fields: [f('inn', 'string'), f('kpp', 'string')] },
  DMInternalDocumentType: { base: 'DMObject', fields: [] },
  DMIncomingDocumentType: { base: 'DMObject', fields: [] },
  DMOutgoingDocumentType: { base: 'DMObject', fields: [] },
  DMInternalDocumentFolder: { base: 'DMObject', fields: [] },
  DMInternalDocumentTemplate: { base: 'DMObject', fields: [] },
  DMActivityMatter: { base: 'DMObject', fields: [] },
  DMBusinessProcessTargetRole: { base: 'DMObject', fields: [] },
  DMAdditionalProperty: { base: 'DMObject', fields: [] },
  DMApprovalResult: { base: 'DMObject', fields: [] },
  DMConfirmationResult: { base: 'DMObject', fields: [] },
  DMObjectAdditionalProperty: { base: 'DMObject', fields: [f('propertySimpleValue', 'anySimpleType'), f('propertyObjectValue', 'DMObject')] },
  DMDocument: {
    base: 'DMObject',
    abstract: true,
    fields: [
      obj('organization'),
      obj('responsible'),
      obj('author'),
      f('summary', 'string'),
      f('title', 'string'),
      f('regNumber', 'string'),
      f('regDate', 'dateTime'),
      obj('documentType'),
      obj('folder'),
      obj('template'),
      f('additionalProperties', 'DMObjectAdditionalProperty', { many: true }),
      f('status', 'string'),
      f('statusApproval', 'string'),
      f('statusPerformance', 'string'),
      f('statusChangeEnabled', 'boolean'),
    ],
  },
  DMInternalDocument: { base: 'DMDocument', fields: [] },
  DMIncomingDocument: { base: 'DMDocument', fields: [obj('sender'), f('senderNumber', 'string'), f('senderDate', 'dateTime')] },
  DMOutgoingDocument: { base: 'DMDocument', fields: [f('recipients', 'DMObject', { many: true })] },
  DMFile: {
    base: 'DMObject',
    fields: [
      f('binaryData', 'base64Binary'),
      f('extension', 'string'),
      f('size', 'decimal'),
      f('creationDate', 'dateTime'),
      f('modificationDate', 'dateTime'),
      f('modificationDateUniversal', 'dateTime'),
      obj('author'),
      f('signed', 'boolean'),
      f('encrypted', 'boolean'),
      obj('editing'),
      obj('owner'),
      obj('template'),
      f('versionNumber', 'decimal'),
      obj('activeVersion'),
    ],
  },
  DMBusinessProcessPerformer: { fields: [obj('user'), f('personalDueDate', 'dateTime'), f('order', 'string'), f('responsible', 'boolean'), f('executed', 'boolean'), f('result', 'string'), f('comment', 'string'), obj('task')] },
  DMBusinessProcess: {
    base: 'DMObject',
    abstract: true,
    fields: [obj('author'), f('importance', 'string'), f('description', 'string'), f('dueDate', 'dateTime'), obj('target'), f('started', 'boolean'), f('completed', 'boolean'), f('state', 'string')],
  },
  DMBusinessProcessApproval: { base: 'DMBusinessProcess', fields: [f('approvalType', 'string'), f('performers', 'DMBusinessProcessPerformer', { many: true }), f('result', 'string')] },
  DMBusinessProcessConfirmation: { base: 'DMBusinessProcess', fields: [f('performer', 'DMBusinessProcessPerformer'), f('result', 'string'), f('resultComment', 'string')] },
  DMBusinessProcessPerformance: { base: 'DMBusinessProcess', fields: [f('performanceType', 'string'), f('performers', 'DMBusinessProcessPerformer', { many: true })] },
  DMBusinessProcessTask: {
    base: 'DMObject',
    fields: [
      obj('author'),
      obj('performer'),
      f('beginDate', 'dateTime'),
      f('dueDate', 'dateTime'),
      f('endDate', 'dateTime'),
      f('accepted', 'boolean'),
      f('acceptDate', 'dateTime'),
      f('executed', 'boolean'),
      f('executionComment', 'string'),
      obj('businessProcess'),
      obj('target'),
      f('description', 'string'),
      f('importance', 'string'),
      f('routePoint', 'string'),
    ],
  },
  DMBusinessProcessApprovalTaskApproval: { base: 'DMBusinessProcessTask', fields: [f('approvalResult', 'DMApprovalResult')] },
  DMBusinessProcessApprovalTaskCheckup: { base: 'DMBusinessProcessTask', fields: [] },
  DMBusinessProcessConfirmationTaskConfirmation: { base: 'DMBusinessProcessTask', fields: [f('confirmationResult', 'DMConfirmationResult')] },
  DMObjectListCondition: { fields: [f('property', 'string', { required: true }), f('value', 'anySimpleType'), f('comparisonOperator', 'string')] },
  DMObjectListQuery: { fields: [f('conditions', 'DMObjectListCondition', { many: true }), f('limit', 'int')] },
  DMObjectListItem: { fields: [obj('object')] },
  DMFileOwnerItem: { fields: [obj('owner'), f('files', 'DMFile', { many: true })] },
  DMApprovalSheetItem: { fields: [f('name', 'string'), f('position', 'string'), f('date', 'dateTime'), f('result', 'string'), f('comment', 'string')] },
  DMSetting: { fields: [f('name', 'string'), f('value', 'string')] },

  DMRequest: { abstract: true, fields: [f('dataBaseID', 'string')] },
  DMGetVersionRequest: { base: 'DMRequest', fields: [] },
  DMGetCurrentUserRequest: { base: 'DMRequest', fields: [] },
  DMGetSettingsRequest: { base: 'DMRequest', fields: [] },
  DMGetObjectListRequest: { base: 'DMRequest', fields: [f('type', 'string', { required: true }), f('query', 'DMObjectListQuery'), f('columnSet', 'string', { many: true })] },
  DMRetrieveRequest: { base: 'DMRequest', fields: [f('objectIds', 'DMObjectID', { many: true, required: true }), f('columnSet', 'string', { many: true })] },
  DMGetNewObjectRequest: { base: 'DMRequest', fields: [f('type', 'string', { required: true }), obj('dataSource')] },
  DMCreateRequest: { base: 'DMRequest', fields: [f('object', 'DMObject', { required: true })] },
  DMUpdateRequest: { base: 'DMRequest', fields: [f('objects', 'DMObject', { many: true, required: true })] },
  DMDeleteRequest: { base: 'DMRequest', fields: [f('objectIds', 'DMObjectID', { many: true, required: true })] },
  DMAddFileRequest: { base: 'DMRequest', fields: [f('file', 'DMFile', { required: true }), obj('owner')] },
  DMGetFileRequest: { base: 'DMRequest', fields: [f('file', 'DMObject', { required: true }), f('versionNumber', 'decimal')] },
  DMGetFileListByOwnerRequest: { base: 'DMRequest', fields: [f('owners', 'DMObject', { many: true, required: true }), f('columnSet', 'string', { many: true })] },
  DMAcceptTasksRequest: { base: 'DMRequest', fields: [f('tasks', 'DMObject', { many: true, required: true })] },
  DMGetNewBusinessProcessRequest: { base: 'DMRequest', fields: [f('type', 'string', { required: true }), f('targetID', 'DMObjectID')] },
  DMLaunchBusinessProcessRequest: { base: 'DMRequest', fields: [f('businessProcess', 'DMObject', { required: true })] },
  DMGetApprovalSheetRequest: { base: 'DMRequest', fields: [f('object', 'DMObject', { required: true })] },

  DMResponse: { abstract: true, fields: [] },
  DMError: { base: 'DMResponse', fields: [f('description', 'string'), f('subject', 'string')] },
  DMGetVersionResponse: { base: 'DMResponse', fields: [f('versionNumber', 'string')] },
  DMGetCurrentUserResponse: { base: 'DMResponse', fields: [f('user', 'DMUser')] },
  DMGetSettingsResponse: { base: 'DMResponse', fields: [f('settings', 'DMSetting', { many: true })] },
  DMGetObjectListResponse: { base: 'DMResponse', fields: [f('items', 'DMObjectListItem', { many: true }), f('tooManyObjects', 'boolean')] },
  DMRetrieveResponse: { base: 'DMResponse', fields: [f('objects', 'DMObject', { many: true })] },
  DMGetNewObjectResponse: { base: 'DMResponse', fields: [obj('object')] },
  DMCreateResponse: { base: 'DMResponse', fields: [obj('object')] },
  DMUpdateResponse: { base: 'DMResponse', fields: [f('objects', 'DMObject', { many: true })] },
  DMDeleteResponse: { base: 'DMResponse', fields: [f('objectIds', 'DMObjectID', { many: true })] },
  DMAddFileResponse: { base: 'DMResponse', fields: [f('file', 'DMFile')] },
  DMGetFileResponse: { base: 'DMResponse', fields: [f('file', 'DMFile')] },
  DMGetFileListByOwnerResponse: { base: 'DMResponse', fields: [f('items', 'DMFileOwnerItem', { many: true })] },
  DMAcceptTasksResponse: { base: 'DMResponse', fields: [f('tasks', 'DMObject', { many: true })] },
  DMGetNewBusinessProcessResponse: { base: 'DMResponse', fields: [obj('businessProcess')] },
  DMLaunchBusinessProcessResponse: { base: 'DMResponse', fields: [obj('businessProcess'), f('tasks', 'DMObject', { many: true })] },
  DMGetApprovalSheetResponse: { base: 'DMResponse', fields: [f('items', 'DMApprovalSheetItem', { many: true })] },
};

export function allFields(type: string): Field[] {
  const t = TYPES[type];
  if (!t) return [];
  return [...(t.base ? allFields(t.base) : []), ...t.fields];
}

export function isA(type: string, base: string): boolean {
  for (let t: string | undefined = type; t; t = TYPES[t]?.base) if (t === base) return true;
  return false;
}

/** A value read from or written to XDTO: simple values as strings, objects with their actual type in `$type`. */
export type DMValue = string | DMObj | DMValue[];
export interface DMObj {
  $type: string;
  [field: string]: DMValue | undefined;
}

export class XdtoError extends Error {}

interface XNode {
  name: string;
  xsiType?: string;
  children: XNode[];
  text: string;
}

function toNodes(raw: unknown[]): XNode[] {
  const out: XNode[] = [];
  for (const item of raw) {
    const o = item as Record<string, unknown>;
    const name = Object.keys(o).find((k) => k !== ':@' && k !== '#text');
    if (!name) continue;
    const attrs = (o[':@'] as Record<string, string> | undefined) ?? {};
    const kids = (o[name] as unknown[]) ?? [];
    const text = kids
      .filter((k) => typeof (k as Record<string, unknown>)['#text'] !== 'undefined')
      .map((k) => String((k as Record<string, unknown>)['#text']))
      .join('');
    const xsiType = attrs['@_type'];
    out.push({ name, ...(xsiType ? { xsiType: xsiType.replace(/^[^:]*:/, '') } : {}), children: toNodes(kids), text });
  }
  return out;
}

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, removeNSPrefix: true, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true, ignoreDeclaration: true });

/** Parses a SOAP envelope and returns the polymorphic `request` of `execute`. */
export function parseExecute(xml: string): { type: string; request: DMObj } {
  let doc: XNode[];
  try {
    doc = toNodes(parser.parse(xml) as unknown[]);
  } catch (e) {
    throw new XdtoError(`Ошибка разбора XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const env = doc.find((n) => n.name === 'Envelope');
  const body = env?.children.find((n) => n.name === 'Body');
  const exec = body?.children.find((n) => n.name === 'execute');
  if (!exec) throw new XdtoError('Отсутствует элемент execute в теле SOAP-сообщения');
  const req = exec.children.find((n) => n.name === 'request');
  if (!req) throw new XdtoError('Ошибка преобразования данных XDTO: отсутствует обязательное свойство request операции execute');
  const type = req.xsiType;
  if (!type || !TYPES[type] || !isA(type, 'DMRequest') || TYPES[type]!.abstract) throw new XdtoError(`Ошибка преобразования данных XDTO: неизвестный тип запроса ${type ?? '(не указан xsi:type)'}`);
  return { type, request: readObject(req, type, 'request') };
}

function readValue(node: XNode, f: Field, path: string): DMValue {
  if (!TYPES[f.type]) return node.text;
  const actual = node.xsiType ?? f.type;
  if (!TYPES[actual]) throw new XdtoError(`Ошибка преобразования данных XDTO: неизвестный тип ${actual} (${path})`);
  if (!isA(actual, f.type)) throw new XdtoError(`Ошибка преобразования данных XDTO: тип ${actual} несовместим с ${f.type} (${path})`);
  if (TYPES[actual]!.abstract) throw new XdtoError(`Ошибка преобразования данных XDTO: для свойства ${path} нужен xsi:type (тип ${actual} абстрактный)`);
  return readObject(node, actual, path);
}

/** Reads an element of a known type, enforcing XDTO's sequence order and cardinalities. */
function readObject(node: XNode, type: string, path: string): DMObj {
  const fields = allFields(type);
  const out: DMObj = { $type: type };
  let last = -1;
  for (const child of node.children) {
    const idx = fields.findIndex((x) => x.name === child.name);
    if (idx < 0) throw new XdtoError(`Ошибка преобразования данных XDTO:\nЧтение объекта типа: {${DM_NS}}${type}\nНеизвестное свойство: ${child.name} (${path})`);
    const fld = fields[idx]!;
    if (idx < last || (idx === last && !fld.many)) {
      const prev = fields[last]!.name;
      throw new XdtoError(`Ошибка преобразования данных XDTO:\nЧтение объекта типа: {${DM_NS}}${type}\nНарушен порядок свойств: свойство '${child.name}' не может следовать за '${prev}' (${path})`);
    }
    last = idx;
    const v = readValue(child, fld, `${path}/${child.name}`);
    if (fld.many) out[fld.name] = [...((out[fld.name] as DMValue[] | undefined) ?? []), v];
    else out[fld.name] = v;
  }
  for (const fld of fields) if (fld.required && out[fld.name] === undefined) throw new XdtoError(`Ошибка преобразования данных XDTO:\nЧтение объекта типа: {${DM_NS}}${type}\nОтсутствует обязательное свойство: ${fld.name} (${path})`);
  return out;
}

function writeField(fld: Field, v: DMValue | undefined, indent: string): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => writeField({ ...fld, many: false }, x, indent)).join('');
  if (typeof v === 'string') return `<m:${fld.name}>${esc(v)}</m:${fld.name}>`;
  // Complex values carry their actual type, as 1C does for polymorphic properties.
  return `<m:${fld.name} xsi:type="m:${v.$type}">${writeBody(v, indent)}</m:${fld.name}>`;
}

export function writeBody(o: DMObj, indent = ''): string {
  return allFields(o.$type)
    .map((fld) => writeField(fld, o[fld.name], indent))
    .join('');
}

export function soapResponse(result: DMObj): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    `<m:executeResponse xmlns:m="${DM_NS}"><m:return xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="m:${result.$type}">` +
    writeBody(result) +
    '</m:return></m:executeResponse></soap:Body></soap:Envelope>'
  );
}

export function soapFault(message: string, code = 'soap:Server'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>${code}</faultcode><faultstring>${esc(message)}</faultstring><detail/></soap:Fault></soap:Body></soap:Envelope>`
  );
}

const XS: Record<string, string> = { string: 'xs:string', boolean: 'xs:boolean', dateTime: 'xs:dateTime', decimal: 'xs:decimal', int: 'xs:int', base64Binary: 'xs:base64Binary', anySimpleType: 'xs:anySimpleType' };

/** The WSDL at `?wsdl`, generated from the same sequences the reader enforces. */
export function wsdl(location: string): string {
  const complex = Object.entries(TYPES)
    .map(([name, t]) => {
      const seq = `<xs:sequence>${t.fields
        .map((x) => `<xs:element name="${x.name}" type="${XS[x.type] ?? `tns:${x.type}`}" minOccurs="${x.required ? 1 : 0}"${x.many ? ' maxOccurs="unbounded"' : ''}${XS[x.type] ? '' : ' nillable="true"'}/>`)
        .join('')}</xs:sequence>`;
      const body = t.base ? `<xs:complexContent><xs:extension base="tns:${t.base}">${seq}</xs:extension></xs:complexContent>` : seq;
      return `<xs:complexType name="${name}"${t.abstract ? ' abstract="true"' : ''}>${body}</xs:complexType>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${DM_NS}" name="DMService" targetNamespace="${DM_NS}">` +
    `<types><xs:schema targetNamespace="${DM_NS}" elementFormDefault="qualified">${complex}` +
    `<xs:element name="execute"><xs:complexType><xs:sequence><xs:element name="request" type="tns:DMRequest"/></xs:sequence></xs:complexType></xs:element>` +
    `<xs:element name="executeResponse"><xs:complexType><xs:sequence><xs:element name="return" type="tns:DMResponse"/></xs:sequence></xs:complexType></xs:element>` +
    '</xs:schema></types>' +
    '<message name="executeRequestMessage"><part name="parameters" element="tns:execute"/></message>' +
    '<message name="executeResponseMessage"><part name="parameters" element="tns:executeResponse"/></message>' +
    '<portType name="DMServicePortType"><operation name="execute"><input message="tns:executeRequestMessage"/><output message="tns:executeResponseMessage"/></operation></portType>' +
    '<binding name="DMServiceSoapBinding" type="tns:DMServicePortType"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>' +
    `<operation name="execute"><soap:operation soapAction="${DM_NS}#DMService:execute" style="document"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation></binding>` +
    `<service name="DMService"><port name="DMServiceSoap" binding="tns:DMServiceSoapBinding"><soap:address location="${esc(location)}"/></port></service>` +
    '</definitions>'
  );
}
