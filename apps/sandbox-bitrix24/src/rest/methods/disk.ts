// disk.storage.*, disk.folder.*, disk.file.*: uploads as the REST API takes them — base64 `fileContent: [name, data]`
// in one call, or the two-step form (call without fileContent → `uploadUrl`, then multipart POST to it) — new file
// versions, version history, signed DOWNLOAD_URLs. Errors as the disk module words them.
import type { DiskObject } from '../../portal/disk.ts';
import { ok, type CallCtx, type MethodTable } from '../context.ts';
import { errors, RestError } from '../errors.ts';
import { compileFilter, sortRows, type Columns } from '../list.ts';
import { int, isMap, param, str, truthy, values, type PhpMap } from '../php.ts';

function idParam(ctx: CallCtx): number {
  const v = param(ctx.params, 'id');
  if (v === undefined || v === '' || int(v) <= 0) throw errors.argument('Invalid value of parameter {Parameter #0}', 'id');
  return int(v);
}

/** `fileContent: ["name.ext", "<base64>"]`; undefined when absent (the two-step upload). */
function fileContent(p: PhpMap): { name: string; content: Buffer } | undefined {
  const fc = param(p, 'fileContent');
  if (fc === undefined || fc === null || fc === '') return undefined;
  const parts = values(isMap(fc) && 'fileData' in fc ? fc.fileData : fc).map((x) => str(x));
  if (parts.length < 2) throw errors.argument('Invalid value of parameter {fileContent}', 'fileContent');
  return { name: parts[0]!, content: Buffer.from(parts[1]!, 'base64') };
}

function dataName(p: PhpMap): string {
  const d = param(p, 'data');
  return isMap(d) ? str(param(d, 'NAME')) : '';
}

function render(ctx: CallCtx, o: DiskObject, fresh = false): PhpMap {
  return ctx.portal.disk.render(o, ctx.portal.baseUrl, ctx.portal.offsetMin, fresh);
}

const COLS = (offsetMin: number): Columns => ({ kinds: { ID: 'int', NAME: 'string', TYPE: 'string', CREATE_TIME: 'date', UPDATE_TIME: 'date', CREATED_BY: 'int', PARENT_ID: 'int', STORAGE_ID: 'int' }, offsetMin });

function children(ctx: CallCtx, folderId: number): PhpMap[] {
  const cols = COLS(ctx.portal.offsetMin);
  const rows = ctx.portal.disk.children(folderId).map((o) => render(ctx, o));
  const pred = compileFilter(param(ctx.params, 'filter'), cols);
  return sortRows(rows.filter(pred), param(ctx.params, 'order'), cols);
}

/** Upload into a folder: with fileContent at once, without it the portal answers with an upload URL. */
function upload(ctx: CallCtx, folderId: number): PhpMap {
  const disk = ctx.portal.disk;
  disk.get(folderId, 'folder');
  const fc = fileContent(ctx.params);
  const unique = truthy(param(ctx.params, 'generateUniqueName'));
  if (!fc) {
    const token = disk.token('upload', `folder=${folderId}&unique=${unique ? 1 : 0}&user=${ctx.caller.userId}&name=${encodeURIComponent(dataName(ctx.params))}`);
    return { field: 'file', uploadUrl: `${ctx.portal.baseUrl}/rest/upload.json?auth=${token.slice(-24)}&token=${encodeURIComponent(token)}` };
  }
  const name = dataName(ctx.params);
  if (!name) throw errors.diskRequiredName();
  const f = disk.addFile(folderId, name, fc.content, ctx.caller.userId, ctx.now, unique);
  return render(ctx, f, true);
}

/** rename, markdeleted and the physical delete work alike on folders and files; each first checks the kind. */
function sharedOps(kind: 'folder' | 'file', deleteMethod: 'deletetree' | 'delete'): MethodTable {
  const checked = (ctx: CallCtx): number => {
    const id = idParam(ctx);
    ctx.portal.disk.get(id, kind);
    return id;
  };
  return {
    [`disk.${kind}.rename`]: {
      scope: 'disk',
      handler: (ctx) => ok(render(ctx, ctx.portal.disk.rename(checked(ctx), str(param(ctx.params, 'newName')), ctx.caller.userId, ctx.now))),
    },
    [`disk.${kind}.markdeleted`]: { scope: 'disk', handler: (ctx) => ok(render(ctx, ctx.portal.disk.markDeleted(checked(ctx), ctx.caller.userId, ctx.now))) },
    [`disk.${kind}.${deleteMethod}`]: {
      scope: 'disk',
      handler: (ctx) => {
        ctx.portal.disk.remove(checked(ctx));
        return ok(true);
      },
    },
  };
}

export const diskMethods: MethodTable = {
  'disk.storage.getlist': {
    scope: 'disk',
    handler: (ctx) => {
      const rows = ctx.portal.disk.storages.map((s) => ctx.portal.disk.renderStorage(s));
      const cols: Columns = { kinds: { ID: 'int', NAME: 'string', CODE: 'string', ENTITY_TYPE: 'string', ENTITY_ID: 'string', ROOT_OBJECT_ID: 'int' }, offsetMin: ctx.portal.offsetMin };
      const matched = sortRows(rows.filter(compileFilter(param(ctx.params, 'filter'), cols)), param(ctx.params, 'order'), cols);
      return { result: matched, total: matched.length };
    },
  },
  'disk.storage.gettypes': { scope: 'disk', handler: () => ok(['user', 'common', 'group']) },
  'disk.storage.get': {
    scope: 'disk',
    handler: (ctx) => {
      const s = ctx.portal.disk.storage(idParam(ctx));
      if (!s) throw errors.entityNotFound(idParam(ctx));
      return ok(ctx.portal.disk.renderStorage(s));
    },
  },
  'disk.storage.getforapp': {
    scope: 'disk',
    appOnly: true,
    handler: (ctx) => {
      const key = ctx.caller.clientId ?? '';
      const disk = ctx.portal.disk;
      const s = disk.storages.find((x) => x.ENTITY_TYPE === 'restapp' && x.ENTITY_ID === key) ?? disk.addStorage(key, 'restapp', key, null, ctx.caller.userId, ctx.now);
      return ok(disk.renderStorage(s));
    },
  },
  'disk.storage.getchildren': {
    scope: 'disk',
    handler: (ctx) => {
      const s = ctx.portal.disk.storage(idParam(ctx));
      if (!s) throw errors.entityNotFound(idParam(ctx));
      return ok(children(ctx, s.ROOT_OBJECT_ID));
    },
  },
  'disk.storage.addfolder': {
    scope: 'disk',
    handler: (ctx) => {
      const s = ctx.portal.disk.storage(idParam(ctx));
      if (!s) throw errors.entityNotFound(idParam(ctx));
      return ok(render(ctx, ctx.portal.disk.addFolder(s.ROOT_OBJECT_ID, dataName(ctx.params), ctx.caller.userId, ctx.now), true));
    },
  },
  'disk.storage.uploadfile': {
    scope: 'disk',
    handler: (ctx) => {
      const s = ctx.portal.disk.storage(idParam(ctx));
      if (!s) throw errors.entityNotFound(idParam(ctx));
      return ok(upload(ctx, s.ROOT_OBJECT_ID));
    },
  },
  'disk.folder.get': { scope: 'disk', handler: (ctx) => ok(render(ctx, ctx.portal.disk.get(idParam(ctx), 'folder'))) },
  'disk.folder.getchildren': {
    scope: 'disk',
    handler: (ctx) => {
      const f = ctx.portal.disk.get(idParam(ctx), 'folder');
      return ok(children(ctx, f.ID));
    },
  },
  'disk.folder.addsubfolder': {
    scope: 'disk',
    handler: (ctx) => ok(render(ctx, ctx.portal.disk.addFolder(idParam(ctx), dataName(ctx.params), ctx.caller.userId, ctx.now), true)),
  },
  'disk.folder.uploadfile': { scope: 'disk', handler: (ctx) => ok(upload(ctx, idParam(ctx))) },
  ...sharedOps('folder', 'deletetree'),
  'disk.file.get': { scope: 'disk', handler: (ctx) => ok(render(ctx, ctx.portal.disk.get(idParam(ctx), 'file'))) },
  'disk.file.uploadversion': {
    scope: 'disk',
    handler: (ctx) => {
      const id = idParam(ctx);
      ctx.portal.disk.get(id, 'file');
      const fc = fileContent(ctx.params);
      if (!fc) throw errors.argument('Invalid value of parameter {Parameter #0}', 'fileContent');
      const f = ctx.portal.disk.uploadVersion(id, fc.name, fc.content, ctx.caller.userId, ctx.now);
      // The answer carries GLOBAL_CONTENT_VERSION as a number, the rest as on read (docs' example).
      const out = render(ctx, f);
      out.GLOBAL_CONTENT_VERSION = f.versions.at(-1)!.GLOBAL_CONTENT_VERSION;
      return ok(out);
    },
  },
  'disk.file.getversions': {
    scope: 'disk',
    handler: (ctx) => {
      const f = ctx.portal.disk.get(idParam(ctx), 'file');
      const rows = [...f.versions].reverse().map((v) => ctx.portal.disk.renderVersion(v, ctx.portal.baseUrl, ctx.portal.offsetMin));
      return { result: rows, total: rows.length };
    },
  },
  ...sharedOps('file', 'delete'),
};

/** POST to an uploadUrl (the second step): the file arrives in the multipart field `file`. */
export function finishUpload(ctx: Pick<CallCtx, 'portal' | 'now'>, token: string, file: { name: string; content: Buffer } | undefined): PhpMap {
  const payload = ctx.portal.disk.verify('upload', token);
  if (!payload) throw new RestError('ERROR_ARGUMENT', 'Invalid token', 400);
  const q = new URLSearchParams(payload);
  if (!file) throw errors.argument('Invalid value of parameter {file}', 'file');
  const name = q.get('name') || file.name;
  const f = ctx.portal.disk.addFile(Number(q.get('folder')), name, file.content, Number(q.get('user')), ctx.now, q.get('unique') === '1');
  return ctx.portal.disk.render(f, ctx.portal.baseUrl, ctx.portal.offsetMin, true);
}
