// The configuration profiles an infobase can run (`ut11`, `ut11.4`, `retail`, `bp30`, `dm`), compiled once per process.
import { bp30 } from './bp30.ts';
import { compileProfile, type Model } from './compile.ts';
import { dm } from './dm.ts';
import { retail } from './retail.ts';
import type { ProfileSpec } from './types.ts';
import { ut11 } from './ut11.ts';

const FACTORIES: Record<string, () => ProfileSpec> = {
  ut11: () => ut11('11.5'),
  'ut11.5': () => ut11('11.5'),
  'ut11.4': () => ut11('11.4'),
  retail,
  bp30,
  dm,
};

export const PROFILE_IDS = ['ut11', 'ut11.4', 'retail', 'bp30', 'dm'];

const cache = new Map<string, Model>();

export function modelOf(profileId: string): Model {
  const id = profileId === 'ut11.5' ? 'ut11' : profileId;
  let m = cache.get(id);
  if (!m) {
    const f = FACTORIES[id];
    if (!f) throw new Error(`unknown profile "${profileId}"; known: ${PROFILE_IDS.join(', ')}`);
    m = compileProfile(f());
    cache.set(id, m);
  }
  return m;
}

export type { Model } from './compile.ts';
