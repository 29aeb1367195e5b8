// PostgreSQL bootstrap: the bus only needs a database it may create schemas in; this makes sure it exists.
import pg from 'pg';

export async function ensureDatabase(url: string): Promise<{ created: boolean; version: string }> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const probe = async (u: string) => {
    const c = new pg.Client({ connectionString: u, connectionTimeoutMillis: 5000 });
    await c.connect();
    return c;
  };
  let created = false;
  try {
    const c = await probe(url);
    await c.end();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== '3D000') throw new Error(`PostgreSQL at ${target.host} is not reachable with DATABASE_URL: ${(e as Error).message}`, { cause: e });
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const c = await probe(admin.toString());
    try {
      await c.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
      created = true;
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently by another process
    } finally {
      await c.end();
    }
  }
  const c = await probe(url);
  try {
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { created, version: r.rows[0]?.v ?? '?' };
  } finally {
    await c.end();
  }
}

export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
