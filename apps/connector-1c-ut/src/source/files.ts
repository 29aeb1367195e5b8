// Print forms for the other systems: an Invoice event cannot carry the 1C address of its PDF, because fetching it
// needs the base's credentials. The event carries a signed link to this connector instead; the connector checks the
// signature and expiry and fetches the form from 1C with its own credentials. The signing key is ESB_FILE_KEY, or a
// random key the deployment keeps in its store, so links stay valid across restarts.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { json, type Connector, type HttpHandler } from '@esb/connector-kit';
import { printFormUrl } from '../mapping/invoice-out.ts';
import { onecConfig } from '../config.ts';
import type { OneCClient } from '@esb/onec-client';
import { fetchPrintForm } from './onec-http.ts';

/** Links live long enough for a portal that was down for a month to still fetch its invoices. */
const LINK_DAYS = 90;

export class PrintFormLinks {
  private key?: Promise<Buffer>;

  constructor(
    private readonly c: Connector,
    private readonly client: () => OneCClient,
    private readonly formPath: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private signingKey(): Promise<Buffer> {
    this.key ??= (async () => {
      if (this.env.ESB_FILE_KEY) return Buffer.from(this.env.ESB_FILE_KEY, 'utf8');
      const fresh = randomBytes(32).toString('hex');
      await this.c.store.dataSource.query(`INSERT INTO cursor (name, value) VALUES ('file-link-key', $1) ON CONFLICT (name) DO NOTHING`, [fresh]);
      return Buffer.from(String((await this.c.store.cursorGet('file-link-key')) ?? fresh), 'hex');
    })();
    return this.key;
  }

  private async sign(ref: string, exp: number): Promise<string> {
    return createHmac('sha256', await this.signingKey()).update(`${this.c.systemId}|invoice|${ref}|${exp}`).digest('hex');
  }

  /** The link an event carries: this connector's public address (PUBLIC_URL, else where it listens). */
  async link(ref: string, now = Date.now()): Promise<string> {
    const base = (this.env.PUBLIC_URL ?? this.c.url ?? '').replace(/\/$/, '');
    const exp = Math.floor(now / 1000) + LINK_DAYS * 86_400;
    return `${base}/files/1c/${encodeURIComponent(this.c.systemId)}/invoice/${ref}.pdf?exp=${exp}&sig=${await this.sign(ref, exp)}`;
  }

  /** GET /files/1c/:systemId/invoice/:file — the print form, when the signature and expiry hold. */
  handler(): HttpHandler {
    return async (req) => {
      const ref = (req.params.file ?? '').replace(/\.pdf$/, '');
      const exp = Number(req.url.searchParams.get('exp'));
      const sig = Buffer.from(req.url.searchParams.get('sig') ?? '', 'hex');
      if (req.params.systemId !== this.c.systemId) return json(404, { error: 'ESB_NOT_FOUND', message: `this connector serves ${this.c.systemId}` });
      const want = Buffer.from(await this.sign(ref, exp), 'hex');
      if (!Number.isFinite(exp) || sig.length !== want.length || !timingSafeEqual(sig, want)) {
        await this.c.log({ direction: 'in', operation: 'GET invoice print form', status: 'error', errorCode: 'ESB_UNAUTHORIZED', error: 'bad signature', businessKeys: { invoiceRef: ref } });
        return json(403, { error: 'ESB_UNAUTHORIZED', message: 'the link is not signed by this connector' });
      }
      if (exp * 1000 < Date.now()) return json(410, { error: 'ESB_LINK_EXPIRED', message: `the link expired on ${new Date(exp * 1000).toISOString()}; the next Invoice event carries a fresh one` });
      const form = await fetchPrintForm(this.client(), printFormUrl(onecConfig(this.c).system.url, ref, this.formPath));
      if (!form) return json(404, { error: 'ESB_NOT_FOUND', message: `1C has no print form for invoice ${ref}` });
      await this.c.log({ direction: 'out', operation: 'GET invoice print form', status: 'ok', businessKeys: { invoiceRef: ref }, details: { bytes: form.bytes.length } });
      return { status: 200, headers: { 'content-type': form.mime, 'content-length': String(form.bytes.length) }, body: form.bytes };
    };
  }
}
