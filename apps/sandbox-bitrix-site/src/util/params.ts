// Request parameters the way PHP sees them: query string and form bodies with bracket syntax
// (`fields[order][id]=1&select[]=id`), or a JSON body; query and body merged with the body winning.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** PHP's parse_str: bracket keys build nested maps; `[]` appends. Maps with keys 0..n-1 become arrays. */
export function parsePhpQuery(qs: string): JsonObject {
  const root: JsonObject = {};
  for (const [rawKey, value] of new URLSearchParams(qs)) {
    const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    const base = m?.[1] ?? rawKey;
    const path = m?.[2] ? [...m[2].matchAll(/\[([^\]]*)\]/g)].map((x) => x[1] ?? '') : [];
    let node: JsonObject = root;
    let key = base;
    for (const seg of path) {
      const next = node[key];
      const child: JsonObject = isObject(next) ? next : {};
      node[key] = child;
      node = child;
      key = seg === '' ? String(Object.keys(child).length) : seg;
    }
    node[key] = value;
  }
  return listify(root) as JsonObject;
}

function listify(v: Json): Json {
  if (Array.isArray(v)) return v.map(listify);
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  const out: JsonObject = {};
  for (const k of keys) out[k] = listify(v[k] ?? null);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => out[k] ?? null);
  return out;
}

/** Query plus body; the body is JSON when it says so (invalid JSON → empty, as CRestUtil does), else parse_str. */
export function requestParams(url: URL, contentType: string | undefined, body: Buffer): JsonObject {
  const fromQuery = parsePhpQuery(url.search.slice(1));
  let fromBody: JsonObject = {};
  const text = body.toString('utf8');
  if (text.trim() !== '') {
    if ((contentType ?? '').includes('application/json')) {
      try {
        const parsed = JSON.parse(text) as Json;
        fromBody = isObject(parsed) ? parsed : {};
      } catch {
        fromBody = {};
      }
    } else if (!(contentType ?? '').includes('multipart/form-data')) {
      fromBody = parsePhpQuery(text);
    }
  }
  return { ...fromQuery, ...fromBody };
}

/** Arrays may come as JSON arrays or as PHP maps with numeric keys. */
export function asList(v: Json | undefined): Json[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return v === undefined || v === null || v === '' ? [] : [v];
}

export function asString(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function asInt(v: Json | undefined): number | undefined {
  const s = asString(v);
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return undefined;
  return Number(s.trim());
}
