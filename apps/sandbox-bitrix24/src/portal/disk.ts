// Bitrix24 Disk: storages (one per user, the shared drive, one per app), folders and files with content versions.
// Objects just created print some ids as numbers, objects read back print strings — as the docs' examples show.
import { createHmac, randomBytes } from 'node:crypto';
import { errors } from '../rest/errors.ts';
import type { PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';
import { isoDateTime } from './format.ts';

export interface Storage {
  ID: number;
  NAME: string;
  CODE: string | null;
  ENTITY_TYPE: 'user' | 'common' | 'group' | 'restapp';
  ENTITY_ID: string;
  ROOT_OBJECT_ID: number;
}

export interface Version {
  ID: number;
  OBJECT_ID: number;
  FILE_ID: number;
  NAME: string;
  SIZE: number;
  GLOBAL_CONTENT_VERSION: number;
  CREATE_TIME: number;
  CREATED_BY: number;
  content: Buffer;
}

export interface DiskObject {
  ID: number;
  NAME: string;
  CODE: string | null;
  STORAGE_ID: number;
  TYPE: 'folder' | 'file';
  PARENT_ID: number | null;
  CREATE_TIME: number;
  UPDATE_TIME: number;
  CREATED_BY: number;
  UPDATED_BY: number;
  DELETED_TYPE: number;
  DELETE_TIME: number | null;
  DELETED_BY: number;
  versions: Version[];
}

export class Disk {
  storages: Storage[] = [];
  objects = new Map<number, DiskObject>();
  /** Signs download tokens, so a DOWNLOAD_URL works without any other credential, as the portal's signed links do. */
  private readonly secret = randomBytes(16);

  constructor(private readonly core: Core) {}

  clear(): void {
    this.storages = [];
    this.objects.clear();
  }

  addStorage(name: string, entityType: Storage['ENTITY_TYPE'], entityId: string, code: string | null, by: number, now: number): Storage {
    const root = this.newObject({ NAME: name, TYPE: 'folder', PARENT_ID: null, STORAGE_ID: 0 }, by, now);
    const s: Storage = { ID: this.core.nextId('storage'), NAME: name, CODE: code, ENTITY_TYPE: entityType, ENTITY_ID: entityId, ROOT_OBJECT_ID: root.ID };
    root.STORAGE_ID = s.ID;
    this.storages.push(s);
    return s;
  }

  storage(id: number): Storage | undefined {
    return this.storages.find((s) => s.ID === id);
  }

  private newObject(o: Pick<DiskObject, 'NAME' | 'TYPE' | 'PARENT_ID' | 'STORAGE_ID'>, by: number, now: number): DiskObject {
    const obj: DiskObject = { ID: this.core.nextId('diskobject'), CODE: null, CREATE_TIME: now, UPDATE_TIME: now, CREATED_BY: by, UPDATED_BY: by, DELETED_TYPE: 0, DELETE_TIME: null, DELETED_BY: 0, versions: [], ...o };
    this.objects.set(obj.ID, obj);
    return obj;
  }

  get(id: number, type?: 'folder' | 'file'): DiskObject {
    const o = this.objects.get(id);
    if (!o || o.DELETED_TYPE !== 0 || (type && o.TYPE !== type)) throw errors.entityNotFound(id);
    return o;
  }

  children(folderId: number): DiskObject[] {
    return [...this.objects.values()].filter((o) => o.PARENT_ID === folderId && o.DELETED_TYPE === 0).sort((a, b) => (a.TYPE === b.TYPE ? a.NAME.localeCompare(b.NAME) : a.TYPE === 'folder' ? -1 : 1));
  }

  private uniqueName(folderId: number, name: string, generate: boolean): string {
    const taken = (n: string): boolean => this.children(folderId).some((o) => o.NAME.toLowerCase() === n.toLowerCase());
    if (!taken(name)) return name;
    if (!generate) throw errors.diskNameTaken();
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let i = 1; ; i++) if (!taken(`${stem} (${i})${ext}`)) return `${stem} (${i})${ext}`;
  }

  addFolder(parentId: number, name: string, by: number, now: number): DiskObject {
    const parent = this.get(parentId, 'folder');
    if (!name) throw errors.diskRequiredName();
    return this.newObject({ NAME: this.uniqueName(parentId, name, false), TYPE: 'folder', PARENT_ID: parent.ID, STORAGE_ID: parent.STORAGE_ID }, by, now);
  }

  addFile(parentId: number, name: string, content: Buffer, by: number, now: number, generateUniqueName: boolean): DiskObject {
    const parent = this.get(parentId, 'folder');
    if (!name) throw errors.diskRequiredName();
    const f = this.newObject({ NAME: this.uniqueName(parentId, name, generateUniqueName), TYPE: 'file', PARENT_ID: parent.ID, STORAGE_ID: parent.STORAGE_ID }, by, now);
    this.pushVersion(f, f.NAME, content, by, now);
    return f;
  }

  /** A new content version: GLOBAL_CONTENT_VERSION goes up, the previous content stays in the version history. */
  uploadVersion(fileId: number, name: string, content: Buffer, by: number, now: number): DiskObject {
    const f = this.get(fileId, 'file');
    this.pushVersion(f, name || f.NAME, content, by, now);
    f.UPDATE_TIME = now;
    f.UPDATED_BY = by;
    return f;
  }

  private pushVersion(f: DiskObject, name: string, content: Buffer, by: number, now: number): void {
    const gcv = (f.versions.at(-1)?.GLOBAL_CONTENT_VERSION ?? 0) + 1;
    f.versions.push({ ID: this.core.nextId('diskversion'), OBJECT_ID: f.ID, FILE_ID: this.core.nextId('bfile'), NAME: name, SIZE: content.length, GLOBAL_CONTENT_VERSION: gcv, CREATE_TIME: now, CREATED_BY: by, content });
  }

  rename(id: number, name: string, by: number, now: number): DiskObject {
    const o = this.get(id);
    if (!name) throw errors.diskRequiredName();
    if (o.PARENT_ID !== null && this.children(o.PARENT_ID).some((x) => x.ID !== id && x.NAME.toLowerCase() === name.toLowerCase())) throw errors.diskNameTaken();
    o.NAME = name;
    o.UPDATE_TIME = now;
    o.UPDATED_BY = by;
    return o;
  }

  markDeleted(id: number, by: number, now: number): DiskObject {
    const o = this.get(id);
    o.DELETED_TYPE = 3;
    o.DELETE_TIME = now;
    o.DELETED_BY = by;
    return o;
  }

  remove(id: number): void {
    for (const c of [...this.objects.values()].filter((x) => x.PARENT_ID === id)) this.remove(c.ID);
    this.objects.delete(id);
  }

  /** A path-like URL the portal UI would show, as DETAIL_URL. */
  private detailUrl(o: DiskObject, base: string): string {
    const parts: string[] = [];
    let cur: DiskObject | undefined = o;
    while (cur && cur.PARENT_ID !== null) {
      parts.unshift(cur.NAME);
      cur = this.objects.get(cur.PARENT_ID);
    }
    const s = this.storage(o.STORAGE_ID);
    const prefix = s?.ENTITY_TYPE === 'user' ? `/company/personal/user/${s.ENTITY_ID}/disk` : '/docs';
    return `${base}${prefix}/${o.TYPE === 'file' ? 'file' : 'path'}/${parts.join('/')}`;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** A signed `disk|…` token, the shape the portal puts into DOWNLOAD_URL and uploadUrl. */
  token(kind: 'download' | 'upload', payload: string): string {
    return `disk|${Buffer.from(payload).toString('base64')}|${this.sign(`${kind}:${payload}`)}`;
  }

  verify(kind: 'download' | 'upload', token: string): string | undefined {
    const [tag, b64, sig] = token.split('|');
    if (tag !== 'disk' || !b64 || !sig) return undefined;
    const payload = Buffer.from(b64, 'base64').toString('utf8');
    return this.sign(`${kind}:${payload}`) === sig ? payload : undefined;
  }

  downloadUrl(objectId: number, versionId: number, base: string): string {
    const token = this.token('download', `id=${objectId}&v=${versionId}`);
    return `${base}/rest/download.json?auth=${this.sign(`auth:${token}`).slice(0, 32)}&token=${encodeURIComponent(token)}`;
  }

  download(token: string): { name: string; content: Buffer } | undefined {
    const payload = this.verify('download', token);
    const m = payload ? /^id=(\d+)&v=(\d+)$/.exec(payload) : null;
    const o = m ? this.objects.get(Number(m[1])) : undefined;
    const v = o?.versions.find((x) => x.ID === Number(m?.[2]));
    return o && v ? { name: v.NAME, content: v.content } : undefined;
  }

  /**
   * The object as the API prints it. `fresh` is the shape of a just-created object (add/upload answers: ID,
   * DELETED_TYPE, GLOBAL_CONTENT_VERSION, FILE_ID as numbers, DELETED_BY null); otherwise every id is a string.
   */
  render(o: DiskObject, base: string, offsetMin: number, fresh = false): PhpMap {
    const n = (v: number): string | number => (fresh ? v : String(v));
    const out: PhpMap = { ID: n(o.ID), NAME: o.NAME, CODE: o.CODE, STORAGE_ID: String(o.STORAGE_ID), TYPE: o.TYPE };
    if (o.TYPE === 'folder') out.REAL_OBJECT_ID = n(o.ID);
    out.PARENT_ID = o.PARENT_ID === null ? null : String(o.PARENT_ID);
    out.DELETED_TYPE = n(o.DELETED_TYPE);
    const last = o.versions.at(-1);
    if (o.TYPE === 'file' && last) {
      out.GLOBAL_CONTENT_VERSION = n(last.GLOBAL_CONTENT_VERSION);
      out.FILE_ID = n(last.FILE_ID);
      out.SIZE = String(last.SIZE);
    }
    out.CREATE_TIME = isoDateTime(o.CREATE_TIME, offsetMin);
    out.UPDATE_TIME = isoDateTime(o.UPDATE_TIME, offsetMin);
    out.DELETE_TIME = o.DELETE_TIME === null ? null : isoDateTime(o.DELETE_TIME, offsetMin);
    out.CREATED_BY = String(o.CREATED_BY);
    out.UPDATED_BY = String(o.UPDATED_BY);
    out.DELETED_BY = fresh && o.DELETED_BY === 0 ? null : String(o.DELETED_BY);
    if (o.TYPE === 'file' && last) out.DOWNLOAD_URL = this.downloadUrl(o.ID, last.ID, base);
    out.DETAIL_URL = this.detailUrl(o, base);
    return out;
  }

  renderVersion(v: Version, base: string, offsetMin: number): PhpMap {
    return {
      ID: String(v.ID),
      OBJECT_ID: String(v.OBJECT_ID),
      SIZE: String(v.SIZE),
      NAME: v.NAME,
      GLOBAL_CONTENT_VERSION: String(v.GLOBAL_CONTENT_VERSION),
      CREATE_TIME: isoDateTime(v.CREATE_TIME, offsetMin),
      CREATED_BY: String(v.CREATED_BY),
      DOWNLOAD_URL: this.downloadUrl(v.OBJECT_ID, v.ID, base),
    };
  }

  renderStorage(s: Storage): PhpMap {
    return { ID: String(s.ID), NAME: s.NAME, CODE: s.CODE, MODULE_ID: 'disk', ENTITY_TYPE: s.ENTITY_TYPE, ENTITY_ID: s.ENTITY_ID, ROOT_OBJECT_ID: String(s.ROOT_OBJECT_ID) };
  }
}
