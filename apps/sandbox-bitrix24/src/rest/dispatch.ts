// The REST front door: URL shapes (/rest/<user>/<code>/<method>, /rest/<method> + auth), parameter merging (query,
// urlencoded, multipart, JSON), the order of checks a portal applies (rate limit, credentials, method, scope, auth
// type, operating time), the envelope and its `time` block, and `batch` with halt, $result[...] references and the
// result_* maps.
import type { SandboxRequest, SandboxResponse } from '@esb/sandbox-kit';
import { json } from '@esb/sandbox-kit';
import type { Portal } from '../portal/portal.ts';
import type { Caller, CallCtx, MethodDef, MethodTable } from './context.ts';
import { errorResponse, phpEmpty, preciseNow, restHeaders, successBody, timeBlock, type MethodOutput, type TimeBlock } from './envelope.ts';
import { errors, RestError } from './errors.ts';
import { catalogMethods } from './methods/catalog.ts';
import { crmMethods } from './methods/crm.ts';
import { diskMethods, finishUpload } from './methods/disk.ts';
import { eventMethods } from './methods/event.ts';
import { itemMethods, productRowMethods } from './methods/item.ts';
import { miscMethods } from './methods/misc.ts';
import { taskMethods } from './methods/tasks.ts';
import { entries, isMap, param, parseStr, str, truthy, type Php, type PhpMap } from './php.ts';

const BATCH_MAX = 50;

function table(...ts: MethodTable[]): Map<string, MethodDef> {
  const m = new Map<string, MethodDef>();
  for (const t of ts) for (const [k, v] of Object.entries(t)) m.set(k.toLowerCase(), v);
  return m;
}

export const METHODS = table(crmMethods, itemMethods, productRowMethods, catalogMethods, diskMethods, taskMethods, miscMethods, eventMethods);

/** Method names are case-insensitive and may end in .json (.xml is accepted, but the answer stays JSON). */
export function normalizeMethod(name: string): string {
  return name.toLowerCase().replace(/\.(json|xml)$/, '');
}

interface Uploaded {
  name: string;
  content: Buffer;
}

/** Query and body merged like CRestUtil::getRequestData: body wins; invalid JSON is silently empty. */
export async function readParams(req: SandboxRequest): Promise<{ params: PhpMap; files: Map<string, Uploaded> }> {
  const query = parseStr(req.url.search.replace(/^\?/, ''));
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  const files = new Map<string, Uploaded>();
  let body: PhpMap = {};
  if (req.body.length > 0) {
    if (ct.includes('application/json')) {
      try {
        const v = JSON.parse(req.body.toString('utf8')) as Php;
        body = isMap(v) ? v : {};
      } catch {
        body = {};
      }
    } else if (ct.includes('multipart/form-data')) {
      const form = await new Request('http://sandbox/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: new Uint8Array(req.body) }).formData();
      const pairs: string[] = [];
      for (const [k, v] of form.entries()) {
        if (typeof v === 'string') pairs.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
        else files.set(k, { name: v.name, content: Buffer.from(await v.arrayBuffer()) });
      }
      body = parseStr(pairs.join('&'));
    } else {
      body = parseStr(req.body.toString('utf8'));
    }
  }
  return { params: { ...query, ...body }, files };
}

export interface CallResult {
  out?: MethodOutput;
  error?: RestError;
  time: TimeBlock;
}

/** Runs one method for an authenticated caller: checks, handler, operating-time accounting, events. */
export function execute(portal: Portal, methodName: string, params: PhpMap, caller: Caller, inBatch: boolean): CallResult {
  const t0 = preciseNow();
  const method = normalizeMethod(methodName);
  const finish = (r: { out?: MethodOutput; error?: RestError }, processingMs: number, recordOperating: boolean): CallResult => {
    const t1 = preciseNow();
    const windowSec = portal.limits.settings.operatingWindowSec;
    // Admin actions are not REST clients; the outer batch is not counted (its commands are, each on its own method).
    const op =
      caller.kind === 'admin'
        ? undefined
        : method === 'batch'
          ? { operating: 0, resetAt: Math.floor(t1 / 1000) + windowSec }
          : recordOperating
            ? portal.limits.record(caller.operatingKey, method, processingMs / 1000, t1)
            : portal.limits.info(caller.operatingKey, method, t1);
    return { ...r, time: timeBlock(t0, t1, processingMs, portal.offsetMin, op) };
  };
  const def = METHODS.get(method);
  if (method === 'batch') {
    if (inBatch) return finish({ error: errors.batchMethodNotAllowed() }, 0, false);
    return finish({ out: batch(portal, params, caller) }, preciseNow() - t0, false);
  }
  if (!def) return finish({ error: errors.methodNotFound() }, 0, false);
  if (inBatch && def.noBatch) return finish({ error: errors.batchMethodNotAllowed() }, 0, false);
  // A method may be reachable through several scopes (user.get: user, user_brief, user_basic).
  if (def.scope !== 'basic' && !caller.scopes.has('*') && !def.scope.split('|').some((s) => caller.scopes.has(s))) {
    return finish({ error: caller.kind === 'webhook' ? errors.insufficientScope(portal.settings) : new RestError('insufficient_scope', 'The request requires higher privileges than provided by the access token', portal.settings.insufficientScopeStatus) }, 0, false);
  }
  if (def.appOnly && caller.kind !== 'oauth') return finish({ error: errors.wrongAuthType() }, 0, false);
  if (caller.kind !== 'admin' && portal.limits.blocked(caller.operatingKey, method, t0)) return finish({ error: errors.operationTimeLimit() }, 0, false);
  const now = portal.now();
  const authConnector = str(param(params, 'auth_connector')) || undefined;
  const pending: Array<[string, PhpMap]> = [];
  const origin = { userId: caller.userId, ...(caller.clientId ? { clientId: caller.clientId } : {}), ...(authConnector ? { authConnector } : {}) };
  const ctx: CallCtx = {
    portal,
    caller,
    method,
    params,
    now,
    inBatch,
    ...(authConnector ? { authConnector } : {}),
    emit: (event, data) => pending.push([event, data]),
    origin: () => origin,
  };
  const h0 = preciseNow();
  let r: { out?: MethodOutput; error?: RestError };
  try {
    r = { out: def.handler(ctx) };
    for (const [event, data] of pending) portal.events.emit(event, data, origin, now);
  } catch (e) {
    if (e instanceof RestError) r = { error: e };
    else {
      console.error(`[sandbox-bitrix24] ${method} failed:`, e);
      r = { error: new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500) };
    }
  }
  return finish(r, preciseNow() - h0, true);
}

const REF = /\$(result|next|total|time|error)\[([^\]]*)\]((?:\[[^\]]*\])*)/g;

/**
 * `$result[cmd][FIELD]…` in a later command (CRestUtil::ParseBatchQuery): a value that is exactly a reference gets
 * the raw value (arrays too); a reference inside a longer string gets a scalar stringified, an array is left alone.
 * An unknown path segment stops the walk.
 */
function substitute(v: Php, maps: Record<string, PhpMap>): Php {
  if (Array.isArray(v)) return v.map((x) => substitute(x, maps));
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, maps)]));
  if (typeof v !== 'string' || !v.includes('$')) return v;
  const resolve = (kind: string, key: string, path: string): Php | undefined => {
    const root = maps[kind]!;
    if (!(key in root)) return undefined;
    let cur: Php = root[key]!;
    for (const seg of [...path.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!)) {
      if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) cur = cur[Number(seg)]!;
      else if (isMap(cur) && seg in cur) cur = cur[seg]!;
      else break;
    }
    return cur;
  };
  const whole = new RegExp(`^${REF.source}$`).exec(v);
  if (whole) {
    const r = resolve(whole[1]!, whole[2]!, whole[3]!);
    return r === undefined ? v : r;
  }
  return v.replace(REF, (m, kind: string, key: string, path: string) => {
    const r = resolve(kind, key, path);
    return r === undefined || r === null || typeof r === 'object' ? m : String(r === true ? 1 : r === false ? '' : r);
  });
}

/** The batch method: ≤50 commands, halt, references, HTTP 200 with result/result_error/result_total/result_next/result_time. */
function batch(portal: Portal, params: PhpMap, caller: Caller): MethodOutput {
  const cmd = param(params, 'cmd');
  const halt = truthy(param(params, 'halt'));
  const connector = str(param(params, 'auth_connector'));
  const result: PhpMap = {};
  const resultError: PhpMap = {};
  const resultTotal: PhpMap = {};
  const resultNext: PhpMap = {};
  const resultTime: PhpMap = {};
  const maps = { result, error: resultError, total: resultTotal, next: resultNext, time: resultTime };
  let i = 0;
  let halted = false;
  for (const [key, raw] of entries(cmd)) {
    if (i++ >= BATCH_MAX) {
      resultError[key] = errors.batchLength().body();
      continue;
    }
    if (halted) break;
    const line = str(raw);
    const q = line.indexOf('?');
    const method = q < 0 ? line : line.slice(0, q);
    const sub = substitute(parseStr(q < 0 ? '' : line.slice(q + 1)), maps) as PhpMap;
    // Auth travels from the outer call to every command; the source key too, so batched writes stay "ours" (UNCONFIRMED).
    if (connector && sub.auth_connector === undefined) sub.auth_connector = connector;
    const r = execute(portal, method, sub, caller, true);
    if (r.error) {
      resultError[key] = r.error.body();
      if (halt) halted = true;
      continue;
    }
    result[key] = r.out!.result as Php;
    if (r.out!.total !== undefined) resultTotal[key] = r.out!.total;
    if (r.out!.next !== undefined) resultNext[key] = r.out!.next;
    resultTime[key] = { ...r.time };
  }
  const asPhp = (m: PhpMap): PhpMap | Php[] | [] => {
    const keys = Object.keys(m);
    if (keys.length > 0 && keys.every((k, n) => k === String(n))) return keys.map((k) => m[k]!);
    return phpEmpty(m);
  };
  return { result: { result: asPhp(result), result_error: asPhp(resultError), result_total: asPhp(resultTotal), result_next: asPhp(resultNext), result_time: asPhp(resultTime) } };
}

export function respond(r: CallResult, clientId: string | undefined): SandboxResponse {
  if (r.error) return errorResponse(r.error);
  return json(200, successBody(r.out!, r.time), restHeaders(r.time, clientId));
}

/** GET /rest/download.json?token=disk|…: the signed links in DOWNLOAD_URL. */
export function download(portal: Portal, req: SandboxRequest): SandboxResponse {
  const f = portal.disk.download(req.url.searchParams.get('token') ?? '');
  if (!f) return errorResponse(new RestError('ERROR_NOT_FOUND', 'File not found', 404));
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(f.content.length), 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}` },
    body: f.content,
  };
}

/** POST /rest/upload.json?token=disk|… (multipart, field `file`): the second step of a disk upload. */
export async function upload(portal: Portal, req: SandboxRequest): Promise<SandboxResponse> {
  const t0 = preciseNow();
  const { files } = await readParams(req);
  try {
    const out = finishUpload({ portal, now: portal.now() }, req.url.searchParams.get('token') ?? '', files.get('file'));
    const t1 = preciseNow();
    const time = timeBlock(t0, t1, t1 - t0, portal.offsetMin);
    return json(200, successBody({ result: out }, time), restHeaders(time, undefined));
  } catch (e) {
    if (e instanceof RestError) return errorResponse(e);
    throw e;
  }
}
