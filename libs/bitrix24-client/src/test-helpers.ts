// Test helpers: admin calls to the sandbox and a fetch that records what the client sent and received.
export async function admin<T = unknown>(url: string, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface LoggedRequest {
  op: string | undefined;
  status: number;
  at: string;
  fault?: string;
}

export const requests = (url: string) => admin<LoggedRequest[]>(url, '/_admin/requests');

export interface Exchange {
  url: string;
  body: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** A fetch that keeps the JSON of every REST request and answer. */
export function recordingFetch(): { fetch: typeof fetch; log: Exchange[] } {
  const log: Exchange[] = [];
  const f: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const text = await res.clone().text();
    log.push({ url: String(input), body: JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>, response: JSON.parse(text) as Record<string, unknown> });
    return res;
  };
  return { fetch: f, log };
}
