// Public surface of the 1C sandbox for tests and other apps: start it, seed it, and reach its infobases.
export { startOneCSandbox, operationOf, type OneCSandbox, type OneCSandboxOptions } from './server.ts';
export type { InfobaseSeed, SeedFile } from './model/seed.ts';
export type { Infobase, UserSpec, InfobaseConfig } from './model/infobase.ts';
export { DEMO } from './model/demo.ts';
export { EDO_EVENTS } from './edo.ts';
export { PROFILE_IDS } from './profiles/index.ts';
