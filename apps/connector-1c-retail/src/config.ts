// This deployment's slice of the topology for a 1C:Розница database: the UT connector's 1C slice, checked to be a
// Retail system on the Retail profile — the sink and pollers take their names from that profile, and what Retail
// lacks (customer invoices, partners, a settlements register) is reported by the UT code, not faked here.
import type { Connector } from '@esb/connector-kit';
import { onecConfig, type OneCConfig } from '@esb/connector-1c-ut';

export const RETAIL_SERVICE = 'connector-1c-retail';
export const RETAIL_KINDS = ['1c-retail'] as const;

export function retailConfig(c: Connector): OneCConfig {
  const cfg = onecConfig(c);
  if (cfg.system.kind !== '1c-retail') throw new Error(`system "${c.systemId}" is a ${cfg.system.kind} database; ${RETAIL_SERVICE} serves 1c-retail`);
  if (cfg.profile !== 'retail') throw new Error(`system "${c.systemId}" has profile ${cfg.system.profile}; a 1C:Розница database takes retail2.3 or retail3.0`);
  return cfg;
}
