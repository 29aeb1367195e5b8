// The topology of one sandbox portal for tests and the benchmark (no test-runner imports, so tools can use it too).
import { parseTopology, type Topology } from '@esb/config';

export function topologyFor(systemId: string, portalUrl: string, o: { auth?: 'webhook' | 'oauth'; limits?: { burst: number; perSecond: number } } = {}): Topology {
  const auth = o.auth === 'oauth' ? '{ mode: oauth, clientId: local.sandbox.app, clientSecret: { env: B24_SECRET } }' : '{ mode: webhook, userId: 1, code: { env: B24_CODE } }';
  const limits = o.limits ? `\n    limits: { burst: ${o.limits.burst}, perSecond: ${o.limits.perSecond}, operatingBudgetSeconds: 480 }` : '';
  const yaml = `
version: 1
legalEntities:
  - { id: trade, name: ООО «Ромашка-Трейд», inn: "7707083893", kpp: "770701001", tradeSystem: ut-main, portal: { system: ${systemId}, categoryId: 0, triggerStage: PREPAYMENT_INVOICE } }
systems:
  ${systemId}:
    kind: bitrix24
    url: ${portalUrl}
    auth: ${auth}
    applicationToken: { env: B24_APP_TOKEN }${limits}
  ut-main:
    kind: 1c-ut
    url: http://127.0.0.1:1/odata/standard.odata/
    profile: ut11.5
    auth: { user: esb, password: { env: UT_PASSWORD } }
mappings:
  paymentStatusToDealStage:
    "0": { PARTIAL: EXECUTING, PAID: FINAL_INVOICE }
  edoSignedDealStage: { "0": WON }
  priceTypes: { Оптовая: BASE, Розничная: RETAIL }
`;
  return parseTopology(yaml, `${systemId}.yaml`, { B24_CODE: 'sandbox', B24_SECRET: 'sandbox-client-secret', B24_APP_TOKEN: 'sandbox-application-token', UT_PASSWORD: 'x' });
}
