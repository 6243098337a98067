// External Secrets Operator with a 1Password store, as far as syncing goes: an ExternalSecret (external-secrets.io/v1)
// is synced when it has no status yet or when its generation, labels or annotations changed since the last sync
// (ESO's reconciler compares status.syncedResourceVersion with "<generation>-<hash of labels and annotations>", so
// `kubectl annotate es X force-sync=$(date +%s) --overwrite` forces one: external-secrets docs "Force refresh" and
// pkg/controllers/externalsecret getResourceVersion). Values come from the lab's 1Password account through the
// store's vault (ClusterSecretStore spec.provider.onepassword.vaults or onepasswordSDK.vault): spec.data[] remoteRef
// {key: item, property: field}, spec.dataFrom[].extract.key (every field of the item). The target Secret is owned by
// the ExternalSecret. Success: Ready=True SecretSynced "secret synced", status.refreshTime; a missing item:
// Ready=False SecretSyncedError. Events: eso-synced, eso-sync-failed.
import { createHash } from 'node:crypto';
import type { LabVault } from '../op/lab-vault.js';
import { groupResource } from '../kinds/types.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

export const ES = 'externalsecrets.external-secrets.io';
const CSS = 'clustersecretstores.external-secrets.io';

function resourceVersionOf(es: KObject): string {
  const h = createHash('sha256').update(JSON.stringify([es.metadata.labels ?? {}, es.metadata.annotations ?? {}])).digest('hex').slice(0, 16);
  return `${es.metadata.generation ?? 1}-${h}`;
}

/** spec.refreshInterval as ESO reads it (a Go duration; "0" turns periodic refresh off; default 1h) */
function refreshMs(es: KObject): number {
  const v = String(es.spec?.refreshInterval ?? '1h');
  let ms = 0;
  for (const [, n, u] of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(n) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as Record<string, number>)[u!]!;
  return ms;
}

export class ExternalSecretsController implements Controller {
  readonly name = 'external-secrets';
  /** how long the controller takes to act on a change or a due refresh (lab option esoDelayMs; a busy controller,
   *  the provider's own latency); 0 = at once */
  delayMs = 0;
  private readonly due = new Map<string, number>(); // uid => when the pending sync may run
  constructor(private readonly ctx: ControllerContext, private readonly vault: () => LabVault) {}

  private served(): boolean {
    return this.ctx.registry.all().some((d) => groupResource(d) === ES);
  }

  reconcile(): void {
    if (!this.served()) return;
    const { store, clock, record } = this.ctx;
    const now = clock.now();
    for (const es of store.list(ES).items) {
      const version = resourceVersionOf(es);
      // a sync is due when the object changed (force-sync annotation included) or its refreshInterval has passed
      const every = refreshMs(es);
      const refreshDue = every > 0 && es.status?.refreshTime && Date.parse(es.status.refreshTime) + every <= now;
      if (es.status?.syncedResourceVersion === version && !refreshDue) { this.due.delete(es.metadata.uid!); continue; }
      if (this.delayMs > 0) {
        const at = this.due.get(es.metadata.uid!);
        if (at === undefined) { this.due.set(es.metadata.uid!, now + this.delayMs); clock.after(this.delayMs, this.ctx.requestSync); continue; }
        if (now < at) continue;
      }
      this.due.delete(es.metadata.uid!);
      const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
      const id = `${es.metadata.namespace}/${es.metadata.name}`;
      const fail = (message: string) => {
        writeStatus(store, ES, es, { ...(es.status ?? {}), syncedResourceVersion: version, conditions: setCondition(es.status?.conditions, { type: 'Ready', status: 'False', reason: 'SecretSyncedError', message }, now) });
        record('eso-sync-failed', id, message);
      };
      const storeRef = es.spec?.secretStoreRef ?? {};
      const css = store.find(CSS, undefined, storeRef.name);
      const vaultName = css?.spec?.provider?.onepasswordSDK?.vault ?? Object.keys(css?.spec?.provider?.onepassword?.vaults ?? {})[0];
      if (!css || !vaultName) { fail(`could not get provider client: ClusterSecretStore ${String(storeRef.name)} not found or has no vault`); continue; }
      const data: Record<string, string> = {};
      let missing: string | undefined;
      for (const d of (es.spec?.data ?? []) as { secretKey: string; remoteRef: { key: string; property?: string } }[]) {
        const v = this.vault().get(`op://${vaultName}/${d.remoteRef.key}/${d.remoteRef.property ?? 'password'}`);
        if (v === undefined) { missing = `${d.remoteRef.key}/${d.remoteRef.property ?? 'password'}`; break; }
        data[d.secretKey] = Buffer.from(v).toString('base64');
      }
      if (missing) { fail(`error processing spec.data[]: could not get secret data from provider: key "${missing}" not found`); continue; }
      const target = es.spec?.target?.name ?? es.metadata.name;
      const existing = store.find('secrets', es.metadata.namespace, target);
      const owner = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: es.metadata.name!, uid: es.metadata.uid!, controller: true, blockOwnerDeletion: true };
      if (existing && JSON.stringify(existing.data ?? {}) !== JSON.stringify(data)) store.update('secrets', { ...existing, data });
      else if (existing) { /* unchanged: the Secret keeps its resourceVersion */ }
      else store.create('secrets', { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: target, namespace: es.metadata.namespace, ownerReferences: [owner] }, data });
      writeStatus(store, ES, store.get(ES, es.metadata.namespace, es.metadata.name!), {
        ...(es.status ?? {}), syncedResourceVersion: version, refreshTime: at, binding: { name: target },
        conditions: setCondition(es.status?.conditions, { type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'secret synced' }, now),
      });
      record('eso-synced', id, target);
    }
  }
}
