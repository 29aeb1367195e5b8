// One OData client per deployment, built on first use: the per-database concurrency cap (architecture §4, §11) only
// holds when every caller of the process — sink handlers and pollers — queues on the same client.
import type { Connector } from '@esb/connector-kit';
import type { OneCClient } from '@esb/onec-client';
import { onecClient } from '../client.ts';

const clients = new WeakMap<Connector, { client: OneCClient; url: string; user: string }>();

/** The deployment's client; rebuilt when a topology reload changed the database URL or the user. */
export function sharedOneCClient(c: Connector): OneCClient {
  const sys = c.topology.systems[c.systemId];
  const url = sys && 'url' in sys ? sys.url : '';
  const user = sys && 'auth' in sys && 'user' in sys.auth ? sys.auth.user : '';
  const have = clients.get(c);
  if (have && have.url === url && have.user === user) return have.client;
  const client = onecClient(c);
  clients.set(c, { client, url, user });
  return client;
}

/**
 * Gives the deployment a client built elsewhere (e.g. with a shorter request timeout in a test of 1C timeouts); it is
 * used until the topology's URL or user for this system changes.
 */
export function useOneCClient(c: Connector, client: OneCClient): void {
  const sys = c.topology.systems[c.systemId];
  clients.set(c, { client, url: sys && 'url' in sys ? sys.url : '', user: sys && 'auth' in sys && 'user' in sys.auth ? sys.auth.user : '' });
}
