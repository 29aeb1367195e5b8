// Secrets in the topology are references, never values: `{ env: NAME }` or `{ file: PATH }`. They are resolved at
// load time (a missing one is a config error naming its path) into a Secret that never prints its value.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export type SecretRef = { env: string } | { file: string };

export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    readonly source: string,
  ) {
    this.#value = value;
  }
  /** The secret itself: call at the point of use, never log the result. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return `[secret from ${this.source}]`;
  }
  toJSON(): string {
    return this.toString();
  }
}

export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv, baseDir: string): Secret | string {
  if ('env' in ref) {
    const v = env[ref.env];
    return v === undefined || v === '' ? `environment variable ${ref.env} is not set` : new Secret(v, `env ${ref.env}`);
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file);
  try {
    // Secret files conventionally end with a newline; it is not part of the secret.
    return new Secret(readFileSync(path, 'utf8').replace(/\r?\n$/, ''), `file ${ref.file}`);
  } catch (e) {
    return `cannot read secret file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}
