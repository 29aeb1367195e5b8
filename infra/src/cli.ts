// `npm run infra:fetch|up|down|status`: the local Kafka, schema registry and PostgreSQL for development.
import { ensureApicurio, ensureKafka } from './fetch.ts';
import { up, down, readState, describe, rssMb } from './stack.ts';
import { apicurioVersion, kafkaVersion } from './settings.ts';

async function main(): Promise<void> {
  const [cmd = 'status', ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'fetch':
      ensureKafka(kafkaVersion());
      ensureApicurio(apicurioVersion());
      console.log(`Kafka ${kafkaVersion()} and Apicurio Registry ${apicurioVersion()} are in the cache.`);
      return;
    case 'up': {
      const nodes = rest.includes('--brokers=3') || rest.includes('--three') ? 3 : 1;
      const s = await up({ detached: true, kafkaNodes: nodes });
      console.log(`Infrastructure is up:\n${describe(s)}`);
      for (const p of s.started) console.log(`  ${p.what}: pid ${p.pid}, ready in ${(p.startupMs / 1000).toFixed(1)} s, RSS ${rssMb(p.pid) ?? '?'} MB, log ${p.log}`);
      console.log('Stop it with: npm run infra:down');
      return;
    }
    case 'down':
      await down();
      return;
    case 'status': {
      const s = readState();
      if (!s) {
        console.log('Not running (npm run infra:up starts it).');
        return;
      }
      console.log(`Running since ${s.startedAt}:\n${describe(s)}`);
      for (const p of s.processes) console.log(`  ${p.what}: pid ${p.pid}, RSS ${rssMb(p.pid) ?? '?'} MB, log ${p.log}`);
      return;
    }
    default:
      throw new Error(`unknown command "${cmd}"; use fetch, up [--three], down or status`);
  }
}

main().catch((e: unknown) => {
  console.error(`infra: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
