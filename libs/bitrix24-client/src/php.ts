// PHP's http_build_query for batch commands (reference §3.3): the portal splits each command at `?` and parses the
// rest with parse_str, so nested params use bracket syntax and every key and value is percent-encoded once.
export type Params = Record<string, unknown>;

function enc(s: string): string {
  // encodeURIComponent leaves !'()* alone; PHP's urlencode does not, and parse_str must see the same bytes.
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function buildQuery(v: unknown, prefix = ''): string {
  const parts: string[] = [];
  const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : v !== null && typeof v === 'object' ? Object.entries(v) : [];
  for (const [k, val] of entries) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (val === null || val === undefined) continue;
    if (typeof val === 'object' && !(val instanceof Date)) {
      const inner = buildQuery(val, key);
      if (inner) parts.push(inner);
    } else {
      const s = val instanceof Date ? val.toISOString() : val === true ? '1' : val === false ? '0' : String(val);
      parts.push(`${enc(key)}=${enc(s)}`);
    }
  }
  return parts.join('&');
}

/** One command of a batch: `method?query`. */
export function batchCommand(method: string, params: Params = {}): string {
  const q = buildQuery(params);
  return q ? `${method}?${q}` : method;
}
