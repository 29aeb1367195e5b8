// Fault injection for sandboxes: rules that match requests by method, path or operation and add latency, answer
// with a given error, or drop the connection — always, with a probability, or for the next N matching requests.
import type { SandboxResponse } from './http.ts';

export interface FaultSpec {
  /** Regular expression on the operation (e.g. `^crm\\.deal\\.` or `Document_ЗаказКлиента`). */
  op?: string;
  /** Regular expression on the path. */
  path?: string;
  method?: string;
  /** Added delay before the request is handled (or before the injected response). */
  latencyMs?: number;
  /** Answer with this instead of handling the request. */
  response?: { status: number; headers?: Record<string, string>; body?: unknown };
  /** Close the connection without an answer. */
  drop?: boolean;
  /** Probability 0..1 that a matching request is affected (default 1). */
  rate?: number;
  /** Affect only the next N matching requests, then the rule expires. */
  count?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  hits: number;
}

let seq = 0;

export class Faults {
  private rules: Fault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(spec: FaultSpec): Fault {
    if (spec.rate !== undefined && (spec.rate < 0 || spec.rate > 1)) throw new Error(`fault rate must be within 0..1, got ${spec.rate}`);
    for (const k of ['op', 'path'] as const) if (spec[k] !== undefined) new RegExp(spec[k]!); // fail early on a bad pattern
    const f: Fault = { ...spec, id: `f${++seq}`, hits: 0 };
    this.rules.push(f);
    return f;
  }

  remove(id: string): boolean {
    const n = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < n;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Fault[] {
    return [...this.rules];
  }

  /** Applies the first matching rule: waits its latency and returns what to answer instead, if anything. */
  async apply(req: { method: string; path: string; op: string | undefined }): Promise<{ id: string; result?: SandboxResponse | 'drop' } | undefined> {
    for (const r of this.rules) {
      if (r.method && r.method.toUpperCase() !== req.method) continue;
      if (r.path && !new RegExp(r.path).test(req.path)) continue;
      if (r.op && !(req.op && new RegExp(r.op).test(req.op))) continue;
      if (r.rate !== undefined && this.random() >= r.rate) continue;
      r.hits++;
      if (r.count !== undefined && --r.count <= 0) this.remove(r.id);
      if (r.latencyMs) await new Promise((res) => setTimeout(res, r.latencyMs));
      if (r.drop) return { id: r.id, result: 'drop' };
      if (r.response) {
        const body = r.response.body;
        const isText = typeof body === 'string';
        return {
          id: r.id,
          result: {
            status: r.response.status,
            headers: { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', ...r.response.headers },
            body: body === undefined ? '' : isText ? body : JSON.stringify(body),
          },
        };
      }
      return { id: r.id };
    }
    return undefined;
  }
}
