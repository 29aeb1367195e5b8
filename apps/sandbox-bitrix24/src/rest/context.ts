// What a REST method handler sees: the portal, the authenticated caller (webhook, OAuth app, or an admin acting as
// a user), the call's parameters, and emit() for the events the change causes. Method modules register here.
import type { Origin } from '../events.ts';
import type { Portal } from '../portal/portal.ts';
import type { MethodOutput } from './envelope.ts';
import type { PhpMap } from './php.ts';

export interface Caller {
  kind: 'webhook' | 'oauth' | 'admin';
  userId: number;
  /** OAuth application. */
  clientId?: string;
  webhookId?: number;
  /** Scopes granted; '*' = all. */
  scopes: ReadonlySet<string>;
  /** Key the operating-time budget is kept under: one app or one webhook. */
  operatingKey: string;
}

export interface CallCtx {
  portal: Portal;
  caller: Caller;
  /** Lower-case method name. */
  method: string;
  /** Query and body merged, `auth` removed. */
  params: PhpMap;
  now: number;
  /** The call's `auth_connector`, which keeps the change out of that connector's offline queue. */
  authConnector?: string;
  inBatch: boolean;
  emit(event: string, data: PhpMap): void;
  origin(): Origin;
}

export type Handler = (c: CallCtx) => MethodOutput;

export interface MethodDef {
  /** Scope the caller needs; `a|b` when any of several will do; `basic` is always granted. */
  scope: string;
  handler: Handler;
  /** Only in an application (OAuth) context: a webhook gets 403 WRONG_AUTH_TYPE (event.*). */
  appOnly?: boolean;
  /** Cannot run inside batch (ERROR_BATCH_METHOD_NOT_ALLOWED). */
  noBatch?: boolean;
}

export type MethodTable = Record<string, MethodDef>;

export function caps(ctx: CallCtx): boolean {
  return ctx.portal.isAdmin(ctx.caller.userId);
}

/** Shorthand for handlers that return a plain result. */
export function ok(result: unknown): MethodOutput {
  return { result };
}
