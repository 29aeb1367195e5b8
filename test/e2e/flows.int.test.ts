// End to end (architecture §1, issue 6): the sandboxes seeded as the example holding, the router, the Bitrix24, 1C:УТ
// and 1C:Розница connectors, real Kafka, registry and PostgreSQL. Each flow is driven from the outside (a manager in
// the portal, an accountant in 1C) and checked on the other side; the exchange logs trace it across services.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { bitrix24Connector } from '@esb/connector-bitrix24';
import { onecUtConnector } from '@esb/connector-1c-ut';
import { onecRetailConnector } from '@esb/connector-1c-retail';
import { endpoints } from '@esb/testing';
import { startStack, type Stack } from '../stack.ts';
import { F1, F10, F2, F3, F4, F5, F6, F7, until, type FlowResult, type Scenario } from '../flows.ts';

let s: Stack;
const sc: Scenario = {};
const logs: string[] = [];

beforeAll(async () => {
  s = await startStack({
    endpoints: { kafkaBrokers: endpoints().kafkaBrokers, schemaRegistryUrl: endpoints().schemaRegistryUrl, databaseUrl: endpoints().databaseUrl },
    suffix: `-e2e${randomUUID().slice(0, 6)}`,
    specs: { bitrix24: bitrix24Connector, ut: onecUtConnector, retail: onecRetailConnector },
    log: (l) => {
      logs.push(l);
      if (process.env.ESB_TEST_LOGS) process.stderr.write(`${l}\n`);
    },
  });
});

afterAll(async () => {
  await s?.stop();
});

const passed = (r: FlowResult): FlowResult => {
  if (!r.ok) {
    const errors = logs.filter((l) => l.includes('"level":"error"') || l.includes('"level":"warn"')).slice(-15);
    throw new Error(`${r.id} failed: ${r.error}\nsteps: ${JSON.stringify(r.steps)}\nlast warnings/errors:\n${errors.join('\n')}`);
  }
  return r;
};

describe('the holding, end to end', () => {
  it('F6: 1C nomenclature, prices and stock reach the portal catalog', async () => {
    passed(await F6(s));
  });
  it('F5: a counterparty created in 1C appears once in the CRM with its requisites', async () => {
    passed(await F5(s));
  });
  it('F1: a deal at its trigger stage becomes a 1C order; the 1C id is written back', async () => {
    passed(await F1(s, sc));
    // One query over the exchange logs traces the deal through the portal connector, the router and 1C.
    const trace = await until('the deal traced by every service', async () => {
      const rows = await s.trace('deal', sc.dealId!);
      return new Set(rows.map((t) => t.service)).size === 3 ? rows : undefined;
    });
    expect(new Set(trace.map((t) => t.service))).toEqual(new Set(['connector-bitrix24', 'router', 'connector-1c-ut']));
    expect(trace.every((t) => t.status !== 'error')).toBe(true);
  });
  it('F2: the 1C invoice gives the deal its number and the PDF on Disk', async () => {
    passed(await F2(s, sc));
  });
  it('F3: a partial then a full payment move the deal', async () => {
    passed(await F3(s, sc));
  });
  it('F4: the shipment date and tracking number reach the deal', async () => {
    passed(await F4(s, sc));
  });
  it('F7: the debt reaches the company card', async () => {
    passed(await F7(s, sc));
  });
  it('F10: each legal entity has its own database; a funnel move reverses and re-creates', async () => {
    passed(await F10(s));
  });
});
