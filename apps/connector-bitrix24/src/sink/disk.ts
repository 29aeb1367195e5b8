// Documents on the portal's Disk: one folder per deal under "Документы из 1С" on the shared drive, files found by
// name before anything is uploaded (a replay or a retry after a crash uploads nothing twice), bytes fetched from
// the event's DocumentRef only when the portal does not have them yet, and checked against its size and SHA-256.
import { EsbError } from '@esb/bus';
import type { DocumentRef } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import { dealFolderName, diskFileName, pdfMismatch } from '../mapping/invoice-out.ts';
import { invalid, rethrow, trace, type RecordRef } from './context.ts';
import type { Portal } from './portal.ts';

export const ROOT_FOLDER = 'Документы из 1С';
const MAX_BYTES = 50 * 1024 * 1024;

interface DiskObject {
  ID: string;
  NAME: string;
  TYPE: string;
  SIZE?: string | number;
  DETAIL_URL?: string;
}

export interface PlacedFile {
  id: number;
  name: string;
  detailUrl: string;
  /** Whether this call uploaded bytes (a new file or a new version). */
  uploaded: boolean;
  /** The bytes, when they had to be fetched (for attaching them elsewhere too). */
  bytes?: Buffer;
}

export class DiskFiles {
  private readonly folders = new Map<string, Promise<number>>();

  constructor(
    private readonly c: Connector,
    private readonly portal: Portal,
  ) {}

  /** The folder of a deal's documents, created on first use. */
  async dealFolder(ref: RecordRef, dealId: number): Promise<number> {
    return this.cached(`deal:${dealId}`, async () => this.child(ref, await this.root(ref), dealFolderName(dealId)));
  }

  private root(ref: RecordRef): Promise<number> {
    return this.cached('root', async () => {
      const storages = await this.portal.call<Array<{ ID: string; ENTITY_TYPE: string; ROOT_OBJECT_ID: string }>>('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } });
      const shared = (Array.isArray(storages) ? storages : [])[0];
      if (!shared) throw invalid(this.c, ref, `portal ${this.c.systemId} has no shared Disk storage (ENTITY_TYPE common) to keep documents in`);
      const found = await this.find(Number(shared.ROOT_OBJECT_ID), ROOT_FOLDER, 'folder');
      if (found) return Number(found.ID);
      const made = await this.portal.write<DiskObject>('disk.storage.addfolder', { id: Number(shared.ID), data: { NAME: ROOT_FOLDER } });
      await trace(this.c, ref, 'disk.storage.addfolder', 'ok', { folder: String(made.ID), name: ROOT_FOLDER });
      return Number(made.ID);
    });
  }

  private async child(ref: RecordRef, parent: number, name: string): Promise<number> {
    const found = await this.find(parent, name, 'folder');
    if (found) return Number(found.ID);
    const made = await this.portal.write<DiskObject>('disk.folder.addsubfolder', { id: parent, data: { NAME: name } });
    await trace(this.c, ref, 'disk.folder.addsubfolder', 'ok', { folder: String(made.ID), name });
    return Number(made.ID);
  }

  private async find(folderId: number, name: string, type: 'folder' | 'file'): Promise<DiskObject | undefined> {
    const list = await this.portal.call<DiskObject[]>('disk.folder.getchildren', { id: folderId, filter: { NAME: name } });
    return (Array.isArray(list) ? list : []).find((o) => o.NAME === name && o.TYPE === type);
  }

  private cached(key: string, make: () => Promise<number>): Promise<number> {
    let p = this.folders.get(key);
    if (!p) {
      p = make();
      p.catch(() => this.folders.delete(key));
      this.folders.set(key, p);
    }
    return p;
  }

  /**
   * Puts the document into the folder once: a file of that name and size is taken as it is; one of another size
   * gets the new bytes as a new version; none gets uploaded.
   */
  async placeOnce(ref: RecordRef, folderId: number, doc: DocumentRef, keys: Record<string, string>): Promise<PlacedFile> {
    const name = diskFileName(doc);
    try {
      const existing = await this.find(folderId, name, 'file');
      if (existing && Number(existing.SIZE) === doc.size) {
        await trace(this.c, ref, 'disk.folder.uploadfile', 'skipped', { ...keys, file: String(existing.ID) }, { details: { reason: 'the file is already on Disk', name } });
        return { id: Number(existing.ID), name, detailUrl: String(existing.DETAIL_URL ?? ''), uploaded: false };
      }
      const bytes = await this.fetchDocument(ref, doc);
      const t0 = performance.now();
      const content = [name, bytes.toString('base64')];
      const f = existing
        ? await this.portal.write<DiskObject>('disk.file.uploadversion', { id: Number(existing.ID), fileContent: content })
        : await this.portal.write<DiskObject>('disk.folder.uploadfile', { id: folderId, data: { NAME: name }, fileContent: content, generateUniqueName: false });
      await trace(this.c, ref, existing ? 'disk.file.uploadversion' : 'disk.folder.uploadfile', 'ok', { ...keys, file: String(f.ID) }, { latencyMs: performance.now() - t0, details: { name, size: bytes.length } });
      return { id: Number(f.ID), name, detailUrl: String(f.DETAIL_URL ?? ''), uploaded: true, bytes };
    } catch (e) {
      rethrow(this.c, ref, `putting ${name} on Disk`, e, keys.deal);
    }
  }

  /** The bytes behind a DocumentRef, checked; a missing or different file is the record's problem, not a retry's. */
  async fetchDocument(ref: RecordRef, doc: DocumentRef): Promise<Buffer> {
    if (doc.size > MAX_BYTES) throw invalid(this.c, ref, `pdf.size ${doc.size} bytes is more than the ${MAX_BYTES}-byte limit for Disk uploads by the bus`);
    let res: Response;
    try {
      res = await fetch(doc.url, { signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw new EsbError('ESB_TARGET_UNAVAILABLE', `${ref.what}: cannot fetch pdf.url ${doc.url}: ${(e as Error).message}`, { system: this.c.systemId, cause: e });
    }
    if (res.status === 404 || res.status === 410) throw invalid(this.c, ref, `pdf.url ${doc.url} answers ${res.status}: the file is gone at its source; publish the invoice again with a working link`);
    if (!res.ok) throw new EsbError('ESB_TARGET_UNAVAILABLE', `${ref.what}: fetching pdf.url ${doc.url} answered HTTP ${res.status}`, { system: this.c.systemId });
    const bytes = Buffer.from(await res.arrayBuffer());
    const mismatch = pdfMismatch(bytes, doc);
    if (mismatch) throw invalid(this.c, ref, `pdf.url ${doc.url} gave ${mismatch}: the file changed or the event is wrong; publish the invoice again`);
    return bytes;
  }
}
