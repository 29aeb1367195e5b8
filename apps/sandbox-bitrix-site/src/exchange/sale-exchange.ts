// type=sale of 1c_exchange.php, after bitrix:sale.export.1c: checkauth (records the session `success` must come
// from), init (with `version=` switching to the new protocol), query (orders XML, remembers the export time),
// success (commits it), file/import of 1C's order documents, info — with the component's order of checks
// (authorisation first, then the sessid source check that turns itself on, then group permissions).
import type { SandboxResponse } from '@esb/sandbox-kit';
import type { SiteContext } from '../sale/context.ts';
import { exchangeText, exchangeXml } from '../util/text.ts';
import { hasExchangeAccess, type ExchangeCall } from './catalog-exchange.ts';
import { SALE, fill } from './messages.ts';
import { buildInfoXml, buildOrdersXml, ordersToExport } from './sale-export.ts';
import { importOrderDocuments } from './sale-import.ts';
import { SESSION_NAME, parseCookies, uploadName, type ExchangeSession } from './session.ts';
import { appendChunk, unpack } from './uploads.ts';
import { decodeXml, parseXml } from './xml.ts';

export async function saleExchange(ctx: SiteContext, c: ExchangeCall): Promise<SandboxResponse> {
  const { state, clock } = ctx;
  const ex = state.exchange;
  // Any request carrying sessid switches the site to checking it (option sale/secure_1c_exchange), for good.
  if (c.sessid !== '' && !ex.saleSecure) ex.saleSecure = true;

  if (c.mode === 'checkauth' && c.user) {
    ex.exportSessionId = c.session.id;
    return exchangeText(`success\n${SESSION_NAME}\n${c.session.id}\nsessid=${c.session.sessid}\n`);
  }
  if (!c.user) return exchangeText(`failure\n${SALE.ERROR_AUTHORIZE}`);
  if (ex.saleSecure && c.sessid !== c.session.sessid) return exchangeText(`failure\n${SALE.ERROR_SOURCE_CHECK}`);
  if (!hasExchangeAccess(c.user)) return exchangeText(`failure\n${SALE.PERMISSION_DENIED}`);

  const sale = c.session.sale;
  const file = uploadName(c.filename);
  switch (c.mode) {
    case 'init': {
      sale.files.clear();
      sale.zip = state.settings.useZip;
      const version = c.req.url.searchParams.get('version') ?? '';
      let body = `zip=${sale.zip ? 'yes' : 'no'}\nfile_limit=${state.settings.fileLimit}\n`;
      if (version) {
        sale.version = version;
        body += `sessid=${c.session.sessid}\nversion=2.09`;
      }
      return exchangeText(body);
    }
    case 'query': {
      const orders = ordersToExport(ctx);
      ex.lastExportTime = clock.nowSec();
      return exchangeXml(buildOrdersXml(ctx, orders, state.settings.orderXmlDialect));
    }
    case 'success': {
      const cookie = parseCookies(c.req.headers.cookie)[SESSION_NAME];
      if (cookie === undefined || cookie !== ex.exportSessionId) return exchangeText('error\n');
      ex.lastExportTimeCommitted = ex.lastExportTime;
      return exchangeText('success\n');
    }
    case 'file':
      if (!sale.version) return oldProtocolFile(ctx, c, file);
      // New protocol: store the chunk; with no usable file name the component prints nothing at all.
      if (!file) return exchangeText('');
      appendChunk(sale.files, file, c.req.body);
      if (sale.zip) sale.zip = file;
      return exchangeText('success\n');
    case 'import':
      if (typeof sale.zip === 'string' && sale.zip.length > 1) {
        const r = unpack(sale.files, sale.zip);
        if (!r.ok) return exchangeText(`failure\n${SALE.ZIP_ERROR}`);
        sale.zip = false;
        return exchangeText(`progress\n${SALE.ZIP_DONE}`);
      }
      if (!file) break;
      return importFile(ctx, c.session, file);
    case 'info':
      return exchangeXml(buildInfoXml(ctx));
  }
  return exchangeText(`failure\n${SALE.ERROR_UNKNOWN_COMMAND}`);
}

/** Old protocol (init without `version`): `file` stores, unpacks and imports at once, answering `success`. */
async function oldProtocolFile(ctx: SiteContext, c: ExchangeCall, file: string | null): Promise<SandboxResponse> {
  const sale = c.session.sale;
  if (!file) return exchangeText(`failure\n${SALE.EMPTY_CML}`);
  appendChunk(sale.files, file, c.req.body);
  let target = file;
  if (sale.zip) {
    const r = unpack(sale.files, file);
    const firstXml = r.ok ? r.entries.find((e) => e.toLowerCase().endsWith('.xml')) : undefined;
    if (firstXml) target = firstXml;
  }
  return importFile(ctx, c.session, target, true);
}

async function importFile(ctx: SiteContext, session: ExchangeSession, file: string, oneShot = false): Promise<SandboxResponse> {
  const { state, clock } = ctx;
  const bytes = session.sale.files.get(file);
  if (!bytes || bytes.length === 0) return exchangeText(`failure\n${SALE.EMPTY_CML}`);
  if (!oneShot) {
    if (session.sale.slowCalls === null) {
      session.sale.slowCalls = state.exchange.slowImport.sale;
      state.exchange.slowImport.sale = 0;
    }
    if (session.sale.slowCalls > 0) {
      // Fault: the file takes more than one INTERVAL; Bitrix answers a bare `progress`.
      session.sale.slowCalls--;
      return exchangeText('progress\n');
    }
    session.sale.slowCalls = null;
  }
  const parsed = parseXml(decodeXml(bytes));
  if (!parsed.ok) {
    state.catalog.imports.push({ at: clock.now(), type: 'sale', file, kind: 'orders', ok: false, message: parsed.error, counts: {} });
    return exchangeText(`failure\n${fill(SALE.XML_ERROR, { ERROR: parsed.error })}`);
  }
  const r = await importOrderDocuments(ctx, parsed.root);
  state.catalog.imports.push({ at: clock.now(), type: 'sale', file, kind: 'orders', ok: true, message: r.errors.trim(), counts: { documents: r.documents, updated: r.updated.length } });
  // `success`, then the loader's errors glued on, then a newline — exactly as the component echoes them.
  return exchangeText(`success${r.errors}\n`);
}
