// Start-up check: the base's `$metadata` against the profile (every entity set and field the connector names) and
// against what the sink writes, failing with one report that names each missing item; then what this configuration
// lacks for some deliveries (Розница: invoices) is reported as a warning — those deliveries will be dead-lettered.
import type { Connector } from '@esb/connector-kit';
import { propertiesOf, validateAgainstMetadata, type OneCClient } from '@esb/onec-client';
import { onecConfig } from '../config.ts';
import { lacksText, sinkProperties, sinkShape } from './shape.ts';

export class MetadataMismatchError extends Error {
  constructor(
    readonly systemId: string,
    message: string,
  ) {
    super(message);
    this.name = 'MetadataMismatchError';
  }
}

export async function checkMetadata(c: Connector, client: OneCClient): Promise<void> {
  const cfg = onecConfig(c);
  const { schema } = await client.loadMetadata();
  const report = validateAgainstMetadata(cfg.profile, schema);
  const shape = sinkShape(cfg.profile);
  const extra = sinkProperties(shape)
    .filter((f) => schema.entitySets.has(f.set) && !propertiesOf(schema, f.set, f.table)?.has(f.property))
    .map((f) => `${[f.set, f.table, f.property].filter(Boolean).join('.')}`);
  if (!report.ok || extra.length) {
    const parts = [report.message, extra.length ? `The sink also writes ${extra.join(', ')}, which the base does not publish.` : ''].filter(Boolean);
    const msg = `system "${c.systemId}" (${cfg.system.url}, profile ${cfg.system.profile}): ${parts.join('\n')}`;
    c.logger.error('1C metadata check failed', { systemId: c.systemId, profile: cfg.profile, missing: [...report.missing.map((m) => m.expected), ...extra] });
    throw new MetadataMismatchError(c.systemId, msg);
  }
  const lacks = lacksText(shape);
  if (lacks) c.logger.warn(`1C configuration lacks objects some deliveries need: ${lacks}`, { systemId: c.systemId, profile: cfg.profile, lacks: shape.lacks });
  c.logger.info('1C metadata matches the profile', { systemId: c.systemId, profile: cfg.profile, checked: report.checked + sinkProperties(shape).length });
}
