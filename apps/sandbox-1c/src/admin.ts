// 1C admin routes under /_admin (the kit adds state, reset, seed, faults, requests): infobases, users, session pool,
// posting delays and errors, strict If-Match, the 1C-ЭДО state machine and ДО users executing tasks.
import { json, type Router, type SandboxRequest, type SandboxResponse } from '@esb/sandbox-kit';
import { advance, EdoError, listOutgoing, sendDocument } from './edo.ts';
import type { Infobase } from './model/infobase.ts';
import { executeTask, TASK_SET } from './model/processes.ts';
import { createInfobase, loadData, SeedError, type InfobaseSeed } from './model/seed.ts';
import { ODataError } from './odata/errors.ts';
import { PROFILE_IDS } from './profiles/index.ts';

export interface AdminContext {
  infobases: Map<string, Infobase>;
  origin(): string;
}

function body(r: SandboxRequest): Record<string, unknown> {
  const t = r.body.toString('utf8').trim();
  if (!t) return {};
  const v: unknown = JSON.parse(t);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SeedError('ожидается JSON-объект');
  return v as Record<string, unknown>;
}

/** Admin errors as `{ error, message }` with a status an integrator can act on. */
async function guard(fn: () => Promise<SandboxResponse> | SandboxResponse): Promise<SandboxResponse> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof EdoError) return json(e.status, { error: 'EDO', message: e.message });
    if (e instanceof ODataError) return json(e.status === 500 ? 409 : e.status, { error: 'BUSINESS', code: e.code, message: e.message });
    if (e instanceof SeedError || e instanceof SyntaxError) return json(400, { error: 'BAD_REQUEST', message: e.message });
    throw e;
  }
}

export function adminRoutes(r: Router, ctx: AdminContext): void {
  const ibOf = (req: SandboxRequest): Infobase => {
    const ib = ctx.infobases.get(req.params['name']!);
    if (!ib) throw new SeedError(`нет информационной базы "${req.params['name']}"`);
    return ib;
  };
  const describe = (ib: Infobase) => ({
    ...ib.summary(),
    odata: `${ctx.origin()}/${encodeURIComponent(ib.name)}/odata/standard.odata/`,
    ...(ib.model.names.family === 'dm' ? { dmservice: `${ctx.origin()}/${encodeURIComponent(ib.name)}/ws/DMService` } : {}),
    ...(ib.model.names.invoice ? { printforms: `${ctx.origin()}/${encodeURIComponent(ib.name)}/hs/printforms/invoice/{Ref_Key}` } : {}),
  });

  r.on('GET', '/_admin/profiles', () => json(200, PROFILE_IDS))
    .on('GET', '/_admin/infobases', () => json(200, [...ctx.infobases.values()].map(describe)))
    .on('POST', '/_admin/infobases', (req) =>
      guard(() => {
        const seed = body(req) as unknown as InfobaseSeed & { replace?: boolean };
        if (ctx.infobases.has(seed.name) && !seed.replace) return json(409, { error: 'EXISTS', message: `информационная база "${seed.name}" уже есть; передайте "replace": true` });
        const ib = createInfobase(seed);
        ctx.infobases.set(ib.name, ib);
        return json(201, describe(ib));
      }),
    )
    .on('GET', '/_admin/infobases/:name', (req) => guard(() => json(200, describe(ibOf(req)))))
    .on('DELETE', '/_admin/infobases/:name', (req) => guard(() => json(ctx.infobases.delete(req.params['name']!) ? 200 : 404, { ok: true })))
    .on('GET', '/_admin/infobases/:name/data', (req) =>
      guard(() => {
        const dump = ibOf(req).dump();
        const set = req.url.searchParams.get('set');
        return json(200, set ? (dump[set] ?? []) : dump);
      }),
    )
    .on('POST', '/_admin/infobases/:name/data', (req) => guard(() => json(200, loadData(ibOf(req), body(req) as Record<string, Array<Record<string, unknown>>>))))
    .on('POST', '/_admin/infobases/:name/users', (req) =>
      guard(() => {
        const b = body(req);
        if (typeof b['name'] !== 'string' || typeof b['password'] !== 'string') throw new SeedError('нужны name и password');
        ibOf(req).users.set(b['name'], { name: b['name'], password: b['password'], ...(b['readOnly'] === true ? { readOnly: true } : {}) });
        return json(201, { ok: true });
      }),
    )
    .on('DELETE', '/_admin/infobases/:name/users/:user', (req) => guard(() => json(ibOf(req).users.delete(req.params['user']!) ? 200 : 404, { ok: true })))
    .on('PUT', '/_admin/infobases/:name/sessions', (req) =>
      guard(() => {
        const ib = ibOf(req);
        const b = body(req);
        if (b['poolSize'] !== undefined) ib.poolSize = Math.max(1, Number(b['poolSize']));
        if (b['poolTimeoutMs'] !== undefined) ib.poolTimeoutMs = Math.max(0, Number(b['poolTimeoutMs']));
        return json(200, { poolSize: ib.poolSize, poolTimeoutMs: ib.poolTimeoutMs, activeSessions: ib.activeSessions });
      }),
    )
    .on('PUT', '/_admin/infobases/:name/settings', (req) =>
      guard(() => {
        const ib = ibOf(req);
        const b = body(req);
        if (typeof b['strictIfMatch'] === 'boolean') ib.strictIfMatch = b['strictIfMatch'];
        if (typeof b['countBom'] === 'boolean') ib.countBom = b['countBom'];
        if (typeof b['timezone'] === 'string') ib.timezone = b['timezone'];
        if (Array.isArray(b['publish'])) ib.publish = new Set(b['publish'].map(String));
        if (b['publish'] === null) ib.publish = undefined;
        return json(200, { strictIfMatch: ib.strictIfMatch, countBom: ib.countBom, timezone: ib.timezone, publish: ib.publish ? [...ib.publish] : null });
      }),
    )
    .on('POST', '/_admin/infobases/:name/slow-posting', (req) =>
      guard(() => {
        const ib = ibOf(req);
        const b = body(req);
        ib.slowPosting = { ms: Math.max(0, Number(b['ms'] ?? 0)), ...(typeof b['document'] === 'string' ? { document: new RegExp(b['document']) } : {}) };
        return json(200, { ms: ib.slowPosting.ms, document: b['document'] ?? null });
      }),
    )
    .on('DELETE', '/_admin/infobases/:name/slow-posting', (req) =>
      guard(() => {
        ibOf(req).slowPosting = { ms: 0 };
        return json(200, { ok: true });
      }),
    )
    .on('POST', '/_admin/infobases/:name/posting-errors', (req) =>
      guard(() => {
        const ib = ibOf(req);
        const b = body(req);
        if (typeof b['document'] !== 'string' || typeof b['message'] !== 'string') throw new SeedError('нужны document (регулярное выражение по имени набора) и message');
        ib.postingErrors.push({ document: new RegExp(b['document']), message: b['message'], ...(typeof b['count'] === 'number' ? { count: b['count'] } : {}) });
        return json(201, { rules: ib.postingErrors.length });
      }),
    )
    .on('DELETE', '/_admin/infobases/:name/posting-errors', (req) =>
      guard(() => {
        ibOf(req).postingErrors = [];
        return json(200, { ok: true });
      }),
    )
    .on('GET', '/_admin/infobases/:name/edo', (req) => guard(() => json(200, listOutgoing(ibOf(req)))))
    .on('POST', '/_admin/infobases/:name/edo/send', (req) =>
      guard(() => {
        const b = body(req);
        if (typeof b['object'] !== 'string') throw new SeedError('нужен object: Ref_Key учетного документа');
        return json(201, sendDocument(ibOf(req), b['object'], typeof b['objectType'] === 'string' ? b['objectType'] : undefined));
      }),
    )
    .on('POST', '/_admin/infobases/:name/edo/:ref/:event', (req) =>
      guard(() => {
        const b = body(req);
        return json(200, advance(ibOf(req), req.params['ref']!, req.params['event']!, typeof b['reason'] === 'string' ? b['reason'] : undefined));
      }),
    )
    .on('POST', '/_admin/infobases/:name/tasks/:ref/execute', (req) =>
      guard(async () => {
        const ib = ibOf(req);
        const b = body(req);
        if (!ib.get(TASK_SET, req.params['ref']!)) return json(404, { error: 'NOT_FOUND', message: `задача ${req.params['ref']} не найдена` });
        const task = await executeTask(ib, req.params['ref']!, b);
        return json(200, task);
      }),
    );
}
