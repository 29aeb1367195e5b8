// The two 1C calls @esb/onec-client does not make yet: register virtual tables (`<Set>/Balance(…)`,
// `<Set>/SliceLast(…)`, reference §1.8) and the invoice print form of the configuration's HTTP service (§1.14).
// Same wire rules as the client — Basic auth as UTF-8, `$format=json`, 1C's error body classified into OneCError —
// so callers handle one error type. Pollers call these one at a time, staying well inside the session pool.
import { createHash } from 'node:crypto';
import { classifyOneC, decodeEntity, OneCError, parseErrorBody, type OneCEntity } from '@esb/onec-client';

export interface RawAccess {
  /** The OData root, `…/odata/standard.odata/`. */
  baseUrl: string;
  user: string;
  password: string;
  timeoutMs?: number;
}

const auth = (a: RawAccess) => `Basic ${Buffer.from(`${a.user}:${a.password}`, 'utf8').toString('base64')}`;

async function call(a: RawAccess, url: string, what: { entitySet: string; accept: string }): Promise<Response> {
  try {
    return await fetch(url, { headers: { authorization: auth(a), accept: what.accept }, signal: AbortSignal.timeout(a.timeoutMs ?? 120_000) });
  } catch (e) {
    const msg = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError') ? `timed out after ${a.timeoutMs ?? 120_000} ms` : `network error: ${(e as Error).message}`;
    throw new OneCError('ESB_TARGET_UNAVAILABLE', { status: 0, onecMessage: msg, method: 'GET', entitySet: what.entitySet, cause: e });
  }
}

async function failure(res: Response, entitySet: string): Promise<OneCError> {
  const body = await res.text();
  const p = parseErrorBody(body);
  const message = p.message ?? (body.trim().slice(0, 300) || res.statusText || 'no message');
  return new OneCError(classifyOneC(res.status, p.code, message), { status: res.status, ...(p.code !== undefined ? { onecCode: p.code } : {}), onecMessage: message, method: 'GET', entitySet });
}

/** A condition for `Condition='…'`: the filter text with its single quotes doubled (1C's nested quoting). */
export const conditionParam = (filter: string): string => `'${filter.replace(/'/g, "''")}'`;

/**
 * Reads a virtual table: `set` the register (`AccumulationRegister_ТоварыНаСкладах`, or `…_RecordType` for
 * recorder-subordinate information registers), `fn` Balance / SliceLast / Turnovers…, `params` rendered 1C literals
 * (`{ Dimensions: "'Номенклатура,Склад'" }`). No paging: 1C computes the table whole.
 */
export async function virtualTable(a: RawAccess, set: string, fn: string, params: Record<string, string> = {}, query: { filter?: string; select?: string[] } = {}): Promise<OneCEntity[]> {
  const args = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(',');
  const q = new URLSearchParams();
  if (query.filter) q.set('$filter', query.filter);
  if (query.select?.length) q.set('$select', query.select.join(','));
  q.set('$format', 'json');
  const base = a.baseUrl.endsWith('/') ? a.baseUrl : `${a.baseUrl}/`;
  const url = `${base}${encodeURIComponent(set)}/${fn}(${encodeURIComponent(args)})?${q.toString().replace(/\+/g, '%20')}`;
  const where = `${set}/${fn}`;
  const res = await call(a, url, { entitySet: where, accept: 'application/json' });
  if (res.status >= 400) throw await failure(res, where);
  const text = (await res.text()).replace(/^\uFEFF/, '');
  let body: { value?: unknown };
  try {
    body = JSON.parse(text) as { value?: unknown };
  } catch (e) {
    throw new OneCError('ESB_TARGET_REJECTED', { status: res.status, onecMessage: `expected JSON, got ${JSON.stringify(text.slice(0, 120))} (auth page or wrong URL?)`, method: 'GET', entitySet: where, cause: e });
  }
  if (!Array.isArray(body.value)) throw new OneCError('ESB_TARGET_REJECTED', { status: res.status, onecMessage: 'virtual table answer without "value"', method: 'GET', entitySet: where });
  return body.value.map((v) => decodeEntity(v as Parameters<typeof decodeEntity>[0], { int64: 'string' }));
}

export interface PrintForm {
  url: string;
  bytes: Buffer;
  mime: string;
  sha256: string;
}

/**
 * Downloads a print form (a PDF from the configuration's HTTP service). Null when the base has no such service
 * (404): the invoice is then published without its PDF, which the log says.
 */
export async function fetchPrintForm(a: RawAccess, url: string): Promise<PrintForm | null> {
  const res = await call(a, url, { entitySet: 'hs/printforms', accept: 'application/pdf' });
  if (res.status === 404) return null;
  if (res.status >= 400) throw await failure(res, 'hs/printforms');
  const bytes = Buffer.from(await res.arrayBuffer());
  const mime = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
  if (mime === 'text/html') throw new OneCError('ESB_TARGET_REJECTED', { status: res.status, onecMessage: 'the print form answered with an HTML page (auth page or wrong URL?)', method: 'GET', entitySet: 'hs/printforms' });
  return { url, bytes, mime, sha256: createHash('sha256').update(bytes).digest('hex') };
}
