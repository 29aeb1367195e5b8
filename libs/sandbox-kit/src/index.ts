// Shared pieces of the sandboxes (Bitrix24, 1C, 1C-Bitrix site): HTTP skeleton, admin API, faults, request log.
export * from './http.ts';
export * from './faults.ts';
