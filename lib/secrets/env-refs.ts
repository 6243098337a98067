// Environment maps from rackhand.yaml whose secret values are op:// references (restic credentials of a VolSync app
// or of the snapshot repository): literals stay as they are, references are resolved through 1Password (SDK with a
// service account token, else the op CLI) and registered with the redactor on the way.
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import { SecretReferenceError, secretSource } from './onepassword.ts';

/** `where` names the rackhand.yaml field for the message, e.g. backups.apps.wiki.credentials. */
export async function resolveEnvRefs(ctx: TaskContext, configured: Record<string, string>, where: string): Promise<Record<string, string>> {
  const refs = Object.values(configured).filter((v) => v.startsWith('op://'));
  let values: Map<string, string>;
  try {
    values = refs.length ? await secretSource(ctx.exec, ctx.env).resolve(refs) : new Map();
  } catch (err) {
    throw new StepFailure(`${where}: ${(err as Error).message}`,
      err instanceof SecretReferenceError ? 'op whoami; op read <reference> (check the vault, item and field names)' : undefined);
  }
  return Object.fromEntries(Object.entries(configured).map(([k, v]) => [k, v.startsWith('op://') ? values.get(v)! : v]));
}
