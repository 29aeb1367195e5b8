// Errors of the standard OData interface in 1C's own format (reference §1.10): a string `code` from 1C's internal list
// and a Russian message, as JSON `odata.error` or XML `<m:error>`, with the HTTP status real servers pair with the code.
import { esc } from '../xml.ts';

/** 1C's internal OData error codes (§1.10); `-1` is a server-side exception or business-logic failure. */
export const CODES = {
  notSupported: '0',
  cannotParse: '1',
  badRequest: '2',
  representation: '3',
  badValue: '4',
  missingValue: '5',
  badUrl: '6',
  keyMissing: '7',
  typeNotFound: '8',
  notFound: '9',
  propertyNotFound: '10',
  methodNotFound: '11',
  argumentMissing: '12',
  tableRowsDirect: '13',
  queryOptions: '14',
  keyExists: '15',
  cannotAssign: '16',
  noDataLoadMode: '17',
  rights: '20',
  functionNotImplemented: '21',
  methodNotAllowed: '19',
  internal: '-1',
} as const;

export type ODataCode = (typeof CODES)[keyof typeof CODES];

export class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly code: ODataCode,
    message: string,
  ) {
    super(message);
  }
}

/** The text 1C returns when the OData layer itself throws (e.g. table-part rows without LineNumber). */
export const INTERNAL_MESSAGE = 'Произошла внутренняя ошибка OData сервиса. Дополнительные сведения можно найти в технологическом журнале.';

export const errors = {
  typeNotFound: (set: string) => new ODataError(404, CODES.typeNotFound, `Не найден тип сущности: ${set}`),
  notFound: (objectName: string) => new ODataError(404, CODES.notFound, `Экземпляр сущности "${objectName}" не найден по переданному ключу.`),
  propertyNotFound: (name: string) => new ODataError(400, CODES.propertyNotFound, `Запрошенное свойство не найдено: ${name}`),
  methodNotFound: (name: string) => new ODataError(404, CODES.methodNotFound, `Метод не найден: ${name}`),
  methodNotAllowed: (method: string) => new ODataError(405, CODES.methodNotAllowed, `Использованный HTTP-метод ${method} запрещен в данном контексте`),
  queryOptions: (detail: string) => new ODataError(400, CODES.queryOptions, `Ошибка разбора опций запроса: ${detail}`),
  functionNotImplemented: (name: string) => new ODataError(400, CODES.functionNotImplemented, `Вызов нереализованной функции: ${name}`),
  badValue: (prop: string, value: unknown) => new ODataError(400, CODES.badValue, `Неверное значение свойства ${prop}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
  badRequest: (detail: string) => new ODataError(400, CODES.badRequest, `Неверный формат запроса: ${detail}`),
  badUrl: (detail: string) => new ODataError(400, CODES.badUrl, `Неверный URL: ${detail}`),
  keyMissing: (set: string) => new ODataError(400, CODES.keyMissing, `Не хватает элемента ключа сущности: ${set}`),
  keyExists: (set: string) => new ODataError(400, CODES.keyExists, `Сущность с таким ключом уже существует: ${set}`),
  tableRowsDirect: () => new ODataError(400, CODES.tableRowsDirect, 'Создание строк табличной части напрямую не поддерживается'),
  internal: () => new ODataError(500, CODES.internal, INTERNAL_MESSAGE),
  business: (message: string) => new ODataError(500, CODES.internal, message),
  rights: (detail: string) => new ODataError(401, CODES.rights, `Нарушение прав доступа! ${detail}`),
  representation: (detail: string) => new ODataError(406, CODES.representation, `Запрошенный тип представления не поддерживается: ${detail}`),
  notSupported: (detail: string, status = 501) => new ODataError(status, CODES.notSupported, `Возможность не поддерживается: ${detail}`),
};

export function errorJson(e: ODataError): string {
  return JSON.stringify({ 'odata.error': { code: e.code, message: { lang: 'ru', value: e.message } } });
}

export function errorXml(e: ODataError): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><m:code>${esc(e.code)}</m:code><m:message xml:lang="ru">${esc(e.message)}</m:message></m:error>`
  );
}
