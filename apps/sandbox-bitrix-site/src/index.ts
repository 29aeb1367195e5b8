// Public surface of the 1C-Bitrix site sandbox: start it in-process, and the types of its seed and state.
export { startSiteSandbox, type SiteSandbox, type SiteSandboxOptions } from './server.ts';
export type { SeedInput } from './seed.ts';
export type { CreateOrderInput } from './sale/orders.ts';
export type { Settings, Order, PersonType, OrderProperty, Status } from './sale/model.ts';
export type { PushConfig, PushRecord } from './state.ts';
