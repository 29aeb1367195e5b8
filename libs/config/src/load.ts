// Loads the topology file: YAML → schema validation → secrets resolved → derived values. Every problem is reported
// at once, each with the file position, the path and what is wrong, so a bad config is fixed in one pass.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, LineCounter, isNode } from 'yaml';
import { legalCounterpartyId } from '@esb/canonical';
import { topologySchema, type TopologyParsed } from './schema.ts';
import { resolveSecret, Secret, type SecretRef } from './secrets.ts';

/** The parsed topology with every secret reference replaced by its Secret. */
export type Resolved<T> = T extends SecretRef ? Secret : T extends Array<infer U> ? Array<Resolved<U>> : T extends object ? { [K in keyof T]: Resolved<T[K]> } : T;

export type LegalEntity = Resolved<TopologyParsed['legalEntities'][number]> & {
  /** The canonical id of this entity: legalCounterpartyId(INN, KPP), as in meta.legalEntityId. */
  canonicalId: string;
};

export type Topology = Omit<Resolved<TopologyParsed>, 'legalEntities'> & { legalEntities: LegalEntity[]; file: string };

export interface ConfigProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  readonly code = 'ESB_CONFIG';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.line ? `line ${p.line}:${p.column} ` : ''}${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isSecretRef(v: unknown): v is SecretRef {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const k = Object.keys(v);
  return k.length === 1 && (k[0] === 'env' || k[0] === 'file') && typeof (v as Record<string, unknown>)[k[0]!] === 'string';
}

function resolveSecrets(v: unknown, path: string[], env: NodeJS.ProcessEnv, baseDir: string, problems: ConfigProblem[]): unknown {
  if (isSecretRef(v)) {
    const r = resolveSecret(v, env, baseDir);
    if (typeof r === 'string') {
      problems.push({ path: path.join('.'), message: r });
      return new Secret('', 'missing');
    }
    return r;
  }
  if (Array.isArray(v)) return v.map((x, i) => resolveSecrets(x, [...path, String(i)], env, baseDir, problems));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveSecrets(x, [...path, k], env, baseDir, problems)]));
  return v;
}

/** Parses and validates topology text; `file` is used in messages and to resolve relative secret files. */
export function parseTopology(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Topology {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => (offset === undefined ? {} : { line: lc.linePos(offset).line, column: lc.linePos(offset).col });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? e.message, ...at(e.pos[0]) })),
    );
  }
  const parsed = topologySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((i) => {
        const node = doc.getIn(i.path as Array<string | number>, true);
        // A missing key has no node of its own: point at its parent.
        const where = isNode(node) ? node : doc.getIn(i.path.slice(0, -1) as Array<string | number>, true);
        return { path: i.path.join('.'), message: i.message, ...at(isNode(where) ? where.range?.[0] : undefined) };
      }),
    );
  }
  const problems: ConfigProblem[] = [];
  const resolved = resolveSecrets(parsed.data, [], env, dirname(resolve(file)), problems) as Resolved<TopologyParsed>;
  if (problems.length > 0) throw new ConfigError(file, problems);
  return {
    ...resolved,
    file,
    legalEntities: resolved.legalEntities.map((e) => ({ ...e, canonicalId: legalCounterpartyId(e.inn, e.kpp ?? null) })),
  };
}

/** Loads `ESB_CONFIG` (or the given file). */
export function loadTopology(file: string | undefined = process.env.ESB_CONFIG, env: NodeJS.ProcessEnv = process.env): Topology {
  if (!file) throw new ConfigError('(ESB_CONFIG)', [{ path: '', message: 'ESB_CONFIG is not set: point it at the topology YAML (see config/esb.example.yaml)' }]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  return parseTopology(text, file, env);
}
