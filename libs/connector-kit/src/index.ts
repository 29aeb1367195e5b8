// What every connector shares: the runtime, its HTTP server (routes, health, metrics), pollers and main().
export * from './connector.ts';
export * from './http.ts';
export * from './metrics.ts';
export * from './poller.ts';
export * from './main.ts';
