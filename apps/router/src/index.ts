export * from './route.ts';
export * from './router.ts';
export * from './order-state.ts';
