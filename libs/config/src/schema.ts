// The shape of the topology file (architecture §8), declared once: types come from it, and cross-field rules
// (references between sections, identifiers with check digits) are part of it, so every problem names its path.
import { z } from 'zod';
import { validateInn, validateKpp, schemaByName } from '@esb/canonical';

/** Ids of systems become Kafka topic names (`esb.deliver.<id>`): the topic alphabet, lower case. */
const SYSTEM_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ENTITY_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SYSTEM_KINDS = ['bitrix24', 'bitrix-site', '1c-ut', '1c-retail', '1c-accounting', '1c-dm'] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];
const TRADE_KINDS: readonly SystemKind[] = ['1c-ut', '1c-retail', '1c-accounting'];

const secretRef = z.union([z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') }), z.strictObject({ file: z.string().min(1) })], {
  error: 'secrets must be a reference: { env: NAME } or { file: PATH }, never an inline value',
});

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'a duration like 500ms, 30s, 15m or 1h');

const inn = z.string().superRefine((v, ctx) => {
  const r = validateInn(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});
const kpp = z.string().superRefine((v, ctx) => {
  const r = validateKpp(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});

const legalEntity = z.strictObject({
  id: z.string().regex(ENTITY_ID, 'lower-case letters, digits, "_" and "-"'),
  name: z.string().min(1),
  inn,
  kpp: kpp.optional(),
  /** The 1C database (UT, Retail, Accounting) where this entity's orders, payments and debts live. */
  tradeSystem: z.string(),
  /** Its deals' funnel in the portal: the category id of `CATEGORY_ID`. */
  portal: z.strictObject({ system: z.string(), categoryId: z.number().int().nonnegative(), triggerStage: z.string().min(1) }).optional(),
  /** Sites selling on behalf of this entity. */
  sites: z.array(z.string()).default([]),
  /** The 1C `Catalog_Организации` Ref_Key of this entity in its trade database, when not found by INN. */
  organisationRef: z.uuid().optional(),
});

const limits = z.strictObject({
  burst: z.number().int().positive().default(50),
  perSecond: z.number().positive().default(2),
  operatingBudgetSeconds: z.number().positive().default(480),
});

const bitrix24 = z.strictObject({
  kind: z.literal('bitrix24'),
  url,
  auth: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('webhook'), userId: z.number().int().positive(), code: secretRef }),
    z.strictObject({ mode: z.literal('oauth'), clientId: z.string().min(1), clientSecret: secretRef }),
  ]),
  /** Checked on every incoming event POST. */
  applicationToken: secretRef,
  limits: limits.default({ burst: 50, perSecond: 2, operatingBudgetSeconds: 480 }),
  /** The deal field that names the seller legal entity (an entity id or INN), when deals carry one. */
  sellerEntityField: z.string().regex(/^UF_CRM_/, 'a deal user field, UF_CRM_…').optional(),
  /** Custom fields the connector creates at start-up when missing: purpose → field name. */
  fields: z.record(z.string(), z.string().regex(/^UF_CRM_/, 'a user field, UF_CRM_…')).default({}),
});

const onec = z.strictObject({
  kind: z.enum(['1c-ut', '1c-retail', '1c-accounting']),
  /** The publication's OData root, …/odata/standard.odata/ */
  url,
  /** Entity and field names differ per configuration release. */
  profile: z.enum(['ut11.4', 'ut11.5', 'retail2.3', 'retail3.0', 'bp3.0']),
  auth: z.strictObject({ user: z.string().min(1), password: secretRef }),
  /** Sessions the publication may give us at once. */
  maxConcurrency: z.number().int().positive().default(4),
  postDocuments: z.boolean().default(true),
  createMissingProducts: z.boolean().default(false),
  ingestToken: secretRef.optional(),
  poll: z.record(z.string(), duration).default({}),
});

const site = z.strictObject({
  kind: z.literal('bitrix-site'),
  url,
  exchange: z.strictObject({ user: z.string().min(1), password: secretRef }),
  /** Checked on the pushes of paid orders. */
  pushToken: secretRef.optional(),
  poll: z.record(z.string(), duration).default({}),
});

const dm = z.strictObject({
  kind: z.literal('1c-dm'),
  url,
  auth: z.strictObject({ user: z.string().min(1), password: secretRef }),
  /** Bitrix24 portal whose Disk, tasks and business processes mirror the DM. */
  portal: z.string(),
  folders: z.record(z.string(), z.string()).default({}),
});

const system = z.discriminatedUnion('kind', [bitrix24, onec, site, dm]);

/**
 * A route: records of `record` coming from systems of the kinds in `from` go to `to`. A target is a system id, or
 * a role resolved per event: `trade` (the entity's trade database), `portal` (the entity's portal), `sites`
 * (the entity's sites), `origin` (the system the order came from), `dm` (the DM systems).
 */
const ROLES = ['trade', 'portal', 'sites', 'origin', 'dm'] as const;
const route = z.strictObject({
  record: z.string(),
  from: z.array(z.enum(SYSTEM_KINDS)).min(1),
  to: z.array(z.string()).min(1),
});

const alerts = z.strictObject({
  dlqMessages: z.number().int().nonnegative().default(1),
  consumerLag: z.number().int().positive().default(1000),
  endToEndLatency: duration.default('60s'),
  email: z.strictObject({ smtp: z.strictObject({ host: z.string(), port: z.number().int(), user: z.string().optional(), password: secretRef.optional() }), from: z.string(), to: z.array(z.string()).min(1) }).optional(),
  bitrix24: z.strictObject({ system: z.string(), userIds: z.array(z.number().int().positive()).min(1) }).optional(),
});

export const topologySchema = z
  .strictObject({
    version: z.literal(1),
    legalEntities: z.array(legalEntity).min(1),
    defaultLegalEntity: z.string().optional(),
    systems: z.record(z.string().regex(SYSTEM_ID, 'system ids are lower-case letters, digits, ".", "_" and "-" (they name Kafka topics)'), system),
    routes: z.array(route).default([]),
    mappings: z
      .strictObject({
        paymentStatusToDealStage: z.record(z.string(), z.partialRecord(z.enum(['PAID', 'PARTIAL', 'UNPAID']), z.string())).default({}),
        edoStatusToSiteOrderStatus: z.partialRecord(z.enum(['SENT', 'DELIVERED', 'SIGNED', 'REJECTED', 'ANNULLED']), z.string()).default({}),
        edoSignedDealStage: z.record(z.string(), z.string()).default({}),
        approvalResultToBp: z.record(z.string(), z.string()).default({}),
        priceTypes: z.record(z.string(), z.string()).default({}),
      })
      .default({ paymentStatusToDealStage: {}, edoStatusToSiteOrderStatus: {}, edoSignedDealStage: {}, approvalResultToBp: {}, priceTypes: {} }),
    conflicts: z
      .strictObject({
        document: z.strictObject({ winner: z.literal('1c-dm'), keepLoserAs: z.string().default('{name}_conflict_{YYYYMMDD}') }),
        task: z.strictObject({ policy: z.literal('last-write-wins'), toPersonWithin: duration.default('60s') }),
      })
      .default({ document: { winner: '1c-dm', keepLoserAs: '{name}_conflict_{YYYYMMDD}' }, task: { policy: 'last-write-wins', toPersonWithin: '60s' } }),
    alerts: alerts.default({ dlqMessages: 1, consumerLag: 1000, endToEndLatency: '60s' }),
  })
  .superRefine(
    (t, ctx) => {
      const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      const kindOf = (id: string): SystemKind | undefined => (Object.hasOwn(t.systems, id) ? t.systems[id]?.kind : undefined);
      const ids = new Set<string>();
      const keys = new Map<string, string>();
      const funnels = new Map<string, string>();
      t.legalEntities.forEach((e, i) => {
        if (ids.has(e.id)) issue(['legalEntities', i, 'id'], `legal entity id "${e.id}" is used twice`);
        ids.add(e.id);
        if (typeof e.inn === 'string' && e.inn.length === 10 && !e.kpp) issue(['legalEntities', i, 'kpp'], `${e.name}: an organisation (10-digit INN) needs its KPP`);
        const key = `${e.inn}/${e.kpp ?? ''}`;
        if (keys.has(key)) issue(['legalEntities', i, 'inn'], `INN ${e.inn} KPP ${e.kpp ?? '—'} is already legal entity "${keys.get(key)}"`);
        keys.set(key, e.id);
        const tk = kindOf(e.tradeSystem);
        if (!tk) issue(['legalEntities', i, 'tradeSystem'], `no system "${e.tradeSystem}" in systems`);
        else if (!TRADE_KINDS.includes(tk)) issue(['legalEntities', i, 'tradeSystem'], `"${e.tradeSystem}" is a ${tk} system; a trade database is one of ${TRADE_KINDS.join(', ')}`);
        if (e.portal) {
          if (kindOf(e.portal.system) !== 'bitrix24') issue(['legalEntities', i, 'portal', 'system'], `"${e.portal.system}" is not a bitrix24 system`);
          const f = `${e.portal.system}#${e.portal.categoryId}`;
          if (funnels.has(f)) issue(['legalEntities', i, 'portal', 'categoryId'], `funnel ${e.portal.categoryId} of ${e.portal.system} already belongs to "${funnels.get(f)}"`);
          funnels.set(f, e.id);
        }
        (e.sites ?? []).forEach((s, j) => {
          if (kindOf(s) !== 'bitrix-site') issue(['legalEntities', i, 'sites', j], `"${s}" is not a bitrix-site system`);
        });
      });
      if (t.defaultLegalEntity !== undefined && !ids.has(t.defaultLegalEntity)) issue(['defaultLegalEntity'], `no legal entity "${t.defaultLegalEntity}"`);
      for (const [id, s] of Object.entries(t.systems)) {
        if (s?.kind === '1c-dm' && kindOf(s.portal) !== 'bitrix24') issue(['systems', id, 'portal'], `"${s.portal}" is not a bitrix24 system`);
      }
      (Array.isArray(t.routes) ? t.routes : []).forEach((r, i) => {
        const fullName = typeof r.record !== 'string' ? '' : r.record.includes('.') ? r.record : `esb.canonical.${r.record}`;
        if (fullName && !schemaByName(fullName)) issue(['routes', i, 'record'], `no canonical record ${fullName} in schemas/`);
        (Array.isArray(r.to) ? r.to : []).forEach((target, j) => {
          if (!(ROLES as readonly string[]).includes(target) && !t.systems[target]) issue(['routes', i, 'to', j], `"${target}" is neither a system id nor one of ${ROLES.join(', ')}`);
        });
      });
      if (t.alerts?.bitrix24 && kindOf(t.alerts.bitrix24.system) !== 'bitrix24') issue(['alerts', 'bitrix24', 'system'], `"${t.alerts.bitrix24.system}" is not a bitrix24 system`);
    },
    // Cross-references are checked even when some fields are already wrong, so one pass reports everything;
    // the rule only needs the sections to have their basic shape.
    { when: (p) => isRecord(p.value) && Array.isArray(p.value.legalEntities) && p.value.legalEntities.every(isRecord) && isRecord(p.value.systems) },
  );

export type TopologyInput = z.input<typeof topologySchema>;
export type TopologyParsed = z.output<typeof topologySchema>;
export const ROUTE_ROLES = ROLES;
