// Public surface of @esb/connector-1c-retail: its config check, build step and options (main.ts runs them).
export { RETAIL_KINDS, RETAIL_SERVICE, retailConfig } from './config.ts';
export { buildRetail, retailOptions } from './build.ts';
export { onecRetailConnector } from './spec.ts';
