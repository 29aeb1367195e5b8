// The invoice print form of the configuration's HTTP service (reference §1.14), fetched through the deployment's
// OData client so it counts against the database's session pool like every other call.
import { createHash } from 'node:crypto';
import { OneCError, type OneCClient } from '@esb/onec-client';

export interface PrintForm {
  url: string;
  bytes: Buffer;
  mime: string;
  sha256: string;
}

/**
 * Downloads a print form (a PDF). Null when the base has no such service (404): the invoice is then published
 * without its PDF, which the log says.
 */
export async function fetchPrintForm(client: OneCClient, url: string): Promise<PrintForm | null> {
  const form = await client.download(url);
  if (!form) return null;
  if (form.mime === 'text/html') throw new OneCError('ESB_TARGET_REJECTED', { status: 200, onecMessage: 'the print form answered with an HTML page (auth page or wrong URL?)', method: 'GET', entitySet: 'hs/printforms' });
  return { url, bytes: form.bytes, mime: form.mime, sha256: createHash('sha256').update(form.bytes).digest('hex') };
}
