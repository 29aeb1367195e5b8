// The topology config (architecture §8): one YAML file, validated, secrets by reference, reloadable.
export * from './schema.ts';
export * from './secrets.ts';
export * from './load.ts';
export * from './watch.ts';
