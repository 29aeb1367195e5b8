// The Bitrix24 sandbox as a library: start it in tests, reach into the portal model when a test needs to.
export { startBitrix24Sandbox, type Bitrix24Sandbox, type Bitrix24SandboxOptions } from './server.ts';
export { Portal, DEFAULT_APP, DEFAULT_WEBHOOK } from './portal/portal.ts';
