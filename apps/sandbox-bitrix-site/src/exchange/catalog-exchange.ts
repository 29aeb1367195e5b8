// type=catalog of 1c_exchange.php, after bitrix:catalog.import.1c: checkauth, init, file, import (unzip first,
// then the step machine of CIBlockCMLImport, one step per call), deactivate, complete — with its order of
// checks (source check before authorisation, unlike the sale component) and its exact answers.
import type { SandboxRequest, SandboxResponse } from '@esb/sandbox-kit';
import { applyGroups, applyMetadata, applyOffer, applyProduct, deactivateMissing, readCatalogDocument } from '../catalog/cml.ts';
import type { SiteContext } from '../sale/context.ts';
import type { SiteUser } from '../sale/model.ts';
import { exchangeText } from '../util/text.ts';
import { CATALOG, fill } from './messages.ts';
import { SESSION_NAME, uploadName, type CatalogProgress, type ExchangeSession } from './session.ts';
import { appendChunk, unpack } from './uploads.ts';
import { decodeXml, parseXml } from './xml.ts';

export interface ExchangeCall {
  req: SandboxRequest;
  session: ExchangeSession;
  user: SiteUser | null;
  mode: string;
  /** `sessid` from the query or a form body. */
  sessid: string;
  filename: string | null;
}

const ADMIN_GROUP = 1;

export function hasExchangeAccess(user: SiteUser): boolean {
  return user.groups.includes(ADMIN_GROUP);
}

export async function catalogExchange(ctx: SiteContext, c: ExchangeCall): Promise<SandboxResponse> {
  const { state, clock } = ctx;
  const ex = state.exchange;
  const validSessid = c.sessid !== '' && c.sessid === c.session.sessid;
  // A client that proves it knows the token switches the whole site to checking it from then on.
  if (c.mode !== 'checkauth' && validSessid && ex.catalogSkipSourceCheck) ex.catalogSkipSourceCheck = false;

  if (c.mode === 'checkauth' && c.user) {
    return exchangeText(`success\n${SESSION_NAME}\n${c.session.id}\nsessid=${c.session.sessid}\ntimestamp=${clock.nowSec()}\n`);
  }
  if (!ex.catalogSkipSourceCheck && !validSessid) return exchangeText(`failure\n${CATALOG.ERROR_SOURCE_CHECK}`);
  if (!c.user) return exchangeText(`failure\n${CATALOG.ERROR_AUTHORIZE}`);
  if (!hasExchangeAccess(c.user)) return exchangeText(`failure\n${CATALOG.PERMISSION_DENIED}`);

  const cat = c.session.catalog;
  const file = uploadName(c.filename);
  switch (c.mode) {
    case 'init':
      cat.files.clear();
      cat.ns = null;
      cat.zip = state.settings.useZip;
      // No trailing newline after file_limit: this is how the component prints it.
      return exchangeText(`zip=${cat.zip ? 'yes' : 'no'}\nfile_limit=${state.settings.fileLimit}`);
    case 'file':
      if (!file) break;
      appendChunk(cat.files, file, c.req.body);
      if (cat.zip) cat.zip = file;
      return exchangeText('success\n');
    case 'import':
      if (cat.zip) return unzipStep(c.session);
      if (!file) break;
      return importStep(ctx, c.session, file);
    case 'deactivate': {
      const ts = Number(c.req.url.searchParams.get('timestamp') ?? '0');
      if (!(ts > 0)) return exchangeText(`failure\n${CATALOG.DEACTIVATION_ERROR}`);
      for (const p of Object.values(state.catalog.products)) if (p.active && p.updatedAt < ts * 1000) p.active = false;
      return exchangeText(`success\n${CATALOG.DEACTIVATION_DONE}`);
    }
    case 'complete':
      return exchangeText(`success\n${CATALOG.IMPORT_COMPLETE}`);
  }
  return exchangeText(`failure\n${CATALOG.ERROR_UNKNOWN_COMMAND}`);
}

function unzipStep(session: ExchangeSession): SandboxResponse {
  const cat = session.catalog;
  const archive = typeof cat.zip === 'string' ? cat.zip : null;
  const r = archive ? unpack(cat.files, archive) : { ok: false as const };
  if (!r.ok) return exchangeText(`failure\n${CATALOG.ZIP_ERROR}`);
  cat.zip = false;
  return exchangeText(`progress\n${CATALOG.ZIP_DONE}`);
}

function freshProgress(file: string, slowCalls: number): CatalogProgress {
  return { file, step: 0, plan: null, readError: null, elementIndex: 0, slowCalls, slowDone: 0 };
}

/** One call = one step of NS["STEP"], 0 … 10, as catalog.import.1c does it. */
async function importStep(ctx: SiteContext, session: ExchangeSession, file: string): Promise<SandboxResponse> {
  const { state, clock } = ctx;
  const cat = session.catalog;
  if (!cat.ns) {
    cat.ns = freshProgress(file, state.exchange.slowImport.catalog);
    state.exchange.slowImport.catalog = 0;
  }
  const ns = cat.ns;
  let message = '';
  let error = '';
  switch (ns.step) {
    case 0:
      message = CATALOG.TABLES_DROPPED;
      ns.step = 1;
      break;
    case 1:
      message = CATALOG.TABLES_CREATED;
      ns.step = 2;
      break;
    case 2: {
      ns.file = file;
      const bytes = cat.files.get(file);
      if (!bytes || bytes.length === 0) {
        error = CATALOG.FILE_ERROR;
        break;
      }
      if (ns.slowDone < ns.slowCalls) {
        // Fault: a big file that takes several calls to read.
        ns.slowDone++;
        const percent = Math.round((ns.slowDone / (ns.slowCalls + 1)) * 10000) / 100;
        message = fill(CATALOG.FILE_PROGRESS, { PERCENT: percent });
        break;
      }
      const parsed = parseXml(decodeXml(bytes));
      if (!parsed.ok) ns.readError = parsed.error;
      else {
        const plan = readCatalogDocument(parsed.root, parsed.rootName);
        if (typeof plan === 'string') ns.readError = plan;
        else ns.plan = plan;
      }
      message = CATALOG.FILE_READ;
      ns.step = 3;
      break;
    }
    case 3:
      message = CATALOG.INDEX_CREATED;
      ns.step = 4;
      break;
    case 4:
      // Bitrix's reader is lenient; a broken or foreign file surfaces when the metadata is imported.
      if (!ns.plan) {
        error = `${CATALOG.METADATA_ERROR} ${ns.readError ?? ''}`.trim();
        break;
      }
      applyMetadata(state.catalog, ns.plan);
      message = CATALOG.METADATA_IMPORTED;
      ns.step = 5;
      break;
    case 5:
      if (ns.plan) applyGroups(state.catalog, ns.plan);
      message = CATALOG.SECTIONS_IMPORTED;
      ns.step = 6;
      break;
    case 6:
      message = CATALOG.SECTION_DEA_DONE;
      ns.step = 7;
      break;
    case 7: {
      const plan = ns.plan;
      const total = plan ? (plan.kind === 'catalog' ? plan.products.length : plan.offers.length) : 0;
      const per = state.settings.elementsPerStep > 0 ? state.settings.elementsPerStep : Number.MAX_SAFE_INTEGER;
      const from = ns.elementIndex;
      const to = Math.min(total, from + per);
      const now = clock.now();
      for (let i = from; i < to && plan; i++) {
        if (plan.kind === 'catalog') {
          const p = plan.products[i];
          if (p) applyProduct(state.catalog, p, now);
        } else {
          const o = plan.offers[i];
          if (o) applyOffer(state.catalog, o, now, plan.meta?.xmlId ?? '');
        }
      }
      ns.elementIndex = to;
      if (to === from) {
        message = CATALOG.DONE;
        ns.step = 8;
      } else message = fill(CATALOG.PROGRESS, { DONE: to, TOTAL: total });
      break;
    }
    case 8:
      if (ns.plan) deactivateMissing(state.catalog, ns.plan, state.settings.elementAction);
      message = CATALOG.DEA_DONE;
      ns.step = 9;
      break;
    default:
      ns.step++;
  }
  if (error) {
    state.catalog.imports.push({ at: clock.now(), type: 'catalog', file, kind: ns.plan?.kind ?? 'catalog', ok: false, message: error, counts: {} });
    return exchangeText(`failure\n${error.replace(/<br>/g, '')}`);
  }
  if (ns.step < 10) return exchangeText(`progress\n${message}`);
  const plan = ns.plan;
  state.catalog.imports.push({
    at: clock.now(),
    type: 'catalog',
    file: ns.file,
    kind: plan?.kind ?? 'catalog',
    ok: true,
    message: CATALOG.IMPORT_SUCCESS,
    counts: plan ? { products: plan.products.length, offers: plan.offers.length, groups: plan.groups.length, properties: plan.properties.length } : {},
  });
  cat.ns = null;
  return exchangeText(`success\n${CATALOG.IMPORT_SUCCESS}`);
}
