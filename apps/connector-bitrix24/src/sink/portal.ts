// The sink's way into the portal: the client built on first use and cached (in OAuth mode the tokens may only arrive
// after start-up, with ONAPPINSTALL), every write tagged with the bus's auth_connector, and small cached lookups of
// portal data the writes need (custom field definitions, stage semantics, requisite presets, the Disk root).
import { EsbError } from '@esb/bus';
import { Bitrix24Error, type Bitrix24Client, type BatchCommand, type Params } from '@esb/bitrix24-client';
import type { Connector } from '@esb/connector-kit';
import { portalClient } from '../client.ts';
import { AUTH_CONNECTOR } from '../config.ts';
import type { EnumItem, FieldDef } from './fields.ts';

export type UfEntity = 'deal' | 'company';

interface RawUserField {
  FIELD_NAME?: string;
  USER_TYPE_ID?: string;
  LIST?: EnumItem[];
}

interface RawStatus {
  STATUS_ID?: string;
  SEMANTICS?: string | null;
}

export class Portal {
  private client?: Promise<Bitrix24Client>;
  private readonly defsCache = new Map<string, Promise<Map<string, FieldDef>>>();
  private readonly stages = new Map<string, Promise<Map<string, string>>>();
  private presets?: Promise<Map<string, number>>;

  constructor(
    private readonly c: Connector,
    /** A ready client (tests, the lead's main.ts); otherwise built from the topology on first use. */
    given?: Bitrix24Client,
  ) {
    if (given) this.client = Promise.resolve(given);
  }

  /** The portal client; a portal without OAuth tokens yet is a retriable condition, not a broken record. */
  async get(): Promise<Bitrix24Client> {
    this.client ??= portalClient(this.c).catch((e: unknown) => {
      this.client = undefined;
      throw new EsbError('ESB_TARGET_UNAVAILABLE', `portal ${this.c.systemId} cannot be called yet: ${(e as Error).message}`, { system: this.c.systemId, cause: e });
    });
    return this.client;
  }

  /** A read. */
  async call<T = unknown>(method: string, params: Params = {}): Promise<T> {
    return (await this.get()).call<T>(method, params);
  }

  /** A write, tagged so the portal keeps it out of our own offline-event queue (architecture §4). */
  async write<T = unknown>(method: string, params: Params = {}): Promise<T> {
    return (await this.get()).call<T>(method, { ...params, auth_connector: AUTH_CONNECTOR });
  }

  /** A batch of writes (≤ 50 per HTTP call); the tag on the outer call reaches every command. */
  async writeBatch(commands: BatchCommand[] | Record<string, BatchCommand>, opts: { halt?: boolean } = {}) {
    const client = await this.get();
    const tag = (c: BatchCommand): BatchCommand => ({ method: c.method, params: { ...c.params, auth_connector: AUTH_CONNECTOR } });
    const tagged = Array.isArray(commands) ? commands.map(tag) : Object.fromEntries(Object.entries(commands).map(([k, c]) => [k, tag(c)]));
    return client.batch(tagged, opts);
  }

  /** Custom field definitions of deals or companies, by FIELD_NAME (cached; refreshed when a name is missing). */
  async fieldDefs(entity: UfEntity, names: string[]): Promise<Record<string, FieldDef | undefined>> {
    let defs = await this.loadDefs(entity);
    if (names.some((n) => !defs.has(n))) {
      this.defsCache.delete(entity);
      defs = await this.loadDefs(entity);
    }
    return Object.fromEntries(names.map((n) => [n, defs.get(n)]));
  }

  forgetFieldDefs(): void {
    this.defsCache.clear();
  }

  private loadDefs(entity: UfEntity): Promise<Map<string, FieldDef>> {
    let p = this.defsCache.get(entity);
    if (!p) {
      p = this.call<RawUserField[]>(`crm.${entity}.userfield.list`, { order: { ID: 'ASC' } }).then(
        (list) => new Map((Array.isArray(list) ? list : []).map((u) => [String(u.FIELD_NAME), { type: String(u.USER_TYPE_ID ?? 'string'), ...(Array.isArray(u.LIST) ? { items: u.LIST } : {}) }])),
      );
      p.catch(() => this.defsCache.delete(entity));
      this.defsCache.set(entity, p);
    }
    return p;
  }

  /** Stage id → semantics (`S` success, `F` failure, '' in progress) of a status entity such as DEAL_STAGE_2. */
  async stageSemantics(entityId: string): Promise<Map<string, string>> {
    let p = this.stages.get(entityId);
    if (!p) {
      p = this.call<RawStatus[]>('crm.status.list', { filter: { ENTITY_ID: entityId }, order: { SORT: 'ASC' } }).then(
        (list) => new Map((Array.isArray(list) ? list : []).map((s) => [String(s.STATUS_ID), s.SEMANTICS ? String(s.SEMANTICS) : ''])),
      );
      p.catch(() => this.stages.delete(entityId));
      this.stages.set(entityId, p);
    }
    return p;
  }

  /** Requisite preset id by its XML_ID (the default RU presets); portal data, read once. */
  async presetId(xmlId: string): Promise<number | undefined> {
    this.presets ??= this.call<Array<{ ID?: string; XML_ID?: string }>>('crm.requisite.preset.list', { select: ['ID', 'XML_ID'] }).then(
      (list) => new Map((Array.isArray(list) ? list : []).map((p) => [String(p.XML_ID), Number(p.ID)])),
    );
    this.presets.catch(() => (this.presets = undefined));
    return (await this.presets).get(xmlId);
  }
}

/** True for the legacy CRM's "Not found" answers (HTTP 400, empty code), which mean the record is gone. */
export function isNotFound(e: unknown): boolean {
  return e instanceof Bitrix24Error && e.status === 400 && /not found/i.test(e.description);
}

/** True when the portal does not have the method at all (older portals, the sandbox). */
export function isMethodMissing(e: unknown): boolean {
  return e instanceof Bitrix24Error && e.error === 'ERROR_METHOD_NOT_FOUND';
}
