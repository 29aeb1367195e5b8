// Echo suppression (architecture §4): the sink remembers the DataVersion 1C gave each object it wrote; a poller
// that later sees the object with that same DataVersion knows the change is ours and does not publish it. Any
// later edit by a person changes DataVersion, so real changes are never swallowed.
import type { StoreTx } from '@esb/store';

const key = (entitySet: string, refKey: string): string => `own-write:${entitySet}:${refKey}`;

export async function rememberOwnWrite(tx: StoreTx, entitySet: string, refKey: string, dataVersion: string | undefined): Promise<void> {
  if (dataVersion) await tx.cursorSet(key(entitySet, refKey), dataVersion);
}

export async function isOwnWrite(tx: StoreTx, entitySet: string, refKey: string, dataVersion: string | undefined): Promise<boolean> {
  return dataVersion !== undefined && (await tx.cursorGet(key(entitySet, refKey))) === dataVersion;
}
