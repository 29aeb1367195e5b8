// The upload directory of a session (/upload/1c_catalog/ or /upload/1c_exchange/ on a real site), in memory:
// `file` appends chunks, `init` wipes it, zip archives are unpacked into it on the first `import` call.
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';

export function appendChunk(files: Map<string, Buffer>, name: string, chunk: Buffer): void {
  const prev = files.get(name);
  files.set(name, prev ? Buffer.concat([prev, chunk]) : Buffer.from(chunk));
}

export function isZip(b: Buffer | undefined): boolean {
  return !!b && b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/**
 * Unpacks into the directory of the archive. Entry names without the UTF-8 flag are cp866 (1C on Windows;
 * Bitrix converts them from cp866); fflate hands those over as latin1, so they are re-decoded here.
 * A file that is not a zip is left alone: PHP's zip_read on it ends at once and Bitrix reports success.
 */
export function unpack(files: Map<string, Buffer>, archiveName: string): { ok: true; entries: string[] } | { ok: false } {
  const data = files.get(archiveName);
  if (!data) return { ok: false };
  if (!isZip(data)) return { ok: true, entries: [] };
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch {
    return { ok: false };
  }
  const dir = archiveName.includes('/') ? archiveName.slice(0, archiveName.lastIndexOf('/') + 1) : '';
  const entries: string[] = [];
  for (const [rawName, bytes] of Object.entries(unzipped)) {
    if (rawName.endsWith('/') || bytes.length === 0) continue;
    const name = /[\u0080-\u00ff]/.test(rawName) ? iconv.decode(Buffer.from(rawName, 'latin1'), 'cp866') : rawName;
    const clean = name.replace(/\\/g, '/').replace(/^\/+/, '');
    if (clean.split('/').includes('..')) continue;
    files.set(dir + clean, Buffer.from(bytes));
    entries.push(dir + clean);
  }
  return { ok: true, entries };
}
