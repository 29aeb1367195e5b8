// This deployment's slice of the topology (architecture §8): its 1C database entry, the legal entities whose
// trade database it is, and the poll intervals. Read per use, so a reload applies without a restart.
import type { Connector, SystemOf } from '@esb/connector-kit';
import type { LegalEntity } from '@esb/config';
import type { ProfileId } from '@esb/onec-client';

export type OneCKind = '1c-ut' | '1c-retail' | '1c-accounting';
export const ONEC_KINDS: readonly OneCKind[] = ['1c-ut', '1c-retail', '1c-accounting'];

export interface OneCConfig {
  systemId: string;
  system: SystemOf<OneCKind>;
  /** The client profile for the config's release name (Retail 2.3 and 3.0 share one). */
  profile: ProfileId;
  /** Legal entities whose orders, payments and debts live in this database. */
  entities: LegalEntity[];
  /** Poll interval per job in ms (config `poll:`), with defaults. */
  pollMs: (job: string, fallbackMs: number) => number;
}

const PROFILE: Record<string, ProfileId> = { 'ut11.4': 'ut11.4', 'ut11.5': 'ut11.5', 'retail2.3': 'retail', 'retail3.0': 'retail', 'bp3.0': 'bp3.0' };

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`not a duration: ${s}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

export function onecConfig(c: Connector): OneCConfig {
  const s = c.topology.systems[c.systemId];
  if (!s || !(ONEC_KINDS as readonly string[]).includes(s.kind)) throw new Error(`system "${c.systemId}" is not a 1C trade database`);
  const system = s as SystemOf<OneCKind>;
  const profile = PROFILE[system.profile];
  if (!profile) throw new Error(`system "${c.systemId}": no client profile for ${system.profile}`);
  return {
    systemId: c.systemId,
    system,
    profile,
    entities: c.topology.legalEntities.filter((e) => e.tradeSystem === c.systemId),
    pollMs: (job, fallbackMs) => (system.poll[job] ? parseDuration(system.poll[job]) : fallbackMs),
  };
}
