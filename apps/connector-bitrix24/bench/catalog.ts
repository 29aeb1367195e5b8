// Benchmark of the catalog pusher against the Bitrix24 sandbox: N products staged at once (as a bulk load from 1C
// leaves them), pushed through `batch` at the limiter's pace, for each portal plan. Prints the achieved product rate
// and its ratio to the ceiling computed from the sandbox's own numbers and request log:
//   ceiling(T) = 50 commands × (X + Y·T) requests, T = last − first catalog request (bucket X, drain Y/s).
// Kafka is not involved (the records are staged directly, as the sink's handler does); PostgreSQL is.
// Large loads on the Enterprise plan measure the sandbox more than the pusher: its crm.product.list renders every
// product for each lookup command, so a batch of 50 lookups over 20,000 products takes seconds (T grows with it).
//
//   sh scripts/node24.sh npx tsx apps/connector-bitrix24/bench/catalog.ts
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/esb_test PLANS=small:2000,default:6000,enterprise:20000 …
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@esb/bus';
import { productId, type Product } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import { Connector } from '@esb/connector-kit';
import { startBitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { refOf } from '../src/sink/context.ts';
import { Sink } from '../src/sink/sink.ts';
import { BITRIX24_MIGRATIONS } from '../src/sink/catalog-migration.ts';
import { topologyFor } from '../src/sink/test-topology.ts';

const PLANS: Record<string, { burst: number; leakPerSec: number }> = { small: { burst: 5, leakPerSec: 2 }, default: { burst: 50, leakPerSec: 2 }, enterprise: { burst: 250, leakPerSec: 5 } };
const runs = (process.env.PLANS ?? 'small:2000,default:6000').split(',').map((p) => {
  const [name = 'default', n = '6000'] = p.split(':');
  if (!PLANS[name]) throw new Error(`unknown plan ${name}; one of ${Object.keys(PLANS).join(', ')}`);
  return { name, n: Number(n) };
});
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/esb_test';

async function run(plan: string, n: number): Promise<string> {
  const { burst, leakPerSec } = PLANS[plan]!;
  const sb = await startBitrix24Sandbox();
  sb.portal.limits.configure({ burst, leakPerSec });
  const systemId = `b24-bench-${randomUUID().slice(0, 8)}`;
  const c = await Connector.open({
    service: 'connector-bitrix24-bench',
    systemId,
    kinds: ['bitrix24'],
    topology: () => topologyFor(systemId, sb.url, { limits: { burst, perSecond: leakPerSec } }),
    endpoints: { kafkaBrokers: ['127.0.0.1:1'], schemaRegistryUrl: 'http://127.0.0.1:1', databaseUrl },
    logger: createLogger('bench', {}, () => undefined),
    storeMigrations: BITRIX24_MIGRATIONS,
  });
  const sink = new Sink(c, { catalog: { idlePollMs: 100 } });
  try {
    for (let i = 0; i < n; i += 500) {
      await c.transaction(async (tx) => {
        for (let j = i; j < Math.min(n, i + 500); j++) {
          const article = `B-${j}`;
          const eventId = randomUUID();
          const p: Product = { ...canonicalSamples['esb.canonical.Product'], meta: { eventId, occurredAt: new Date().toISOString(), source: { system: 'ut-main', kind: '1c-ut', externalId: `bench-${j}` }, legalEntityId: null, correlationId: eventId, causationId: null }, productId: productId({ article }), article, name: `Товар ${j}` };
          await sink.catalog.stageProduct(refOf('Product', p.meta, article, tx), p);
        }
      });
    }
    sb.portal.limits.reset();
    sb.sandbox.requests.length = 0;
    const t0 = Date.now();
    sink.catalog.start();
    while (sb.portal.products.all().length < n) await new Promise((r) => setTimeout(r, 100));
    const wall = (Date.now() - t0) / 1000;
    await sink.catalog.stop();
    const calls = sb.sandbox.requests.filter((r) => r.op === 'batch');
    const refused = sb.sandbox.requests.filter((r) => r.status === 503).length;
    const seconds = (Date.parse(calls.at(-1)!.at) - Date.parse(calls[0]!.at)) / 1000;
    const ceiling = 50 * (burst + leakPerSec * seconds);
    return `| ${plan} (${burst} / ${leakPerSec} per s) | ${n} | ${calls.length} | ${seconds.toFixed(1)} s | ${(n / wall).toFixed(0)} /s | ${ceiling.toFixed(0)} | ${(n / ceiling).toFixed(3)} | ${refused} |`;
  } finally {
    await c.store.dataSource.query(`DROP SCHEMA IF EXISTS "${c.store.schema}" CASCADE`);
    await c.store.close();
    await sb.close();
  }
}

console.log('| plan (bucket / drain) | products | batch calls | first→last call | products/s | ceiling 50·(X+Y·T) | ratio | 503s |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of runs) console.log(await run(r.name, r.n));
