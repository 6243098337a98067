// flux reconcile kustomization|ks NAME [--with-source], helmrelease|hr NAME [--with-source] [--force] [--reset],
// source git NAME (fluxcd/flux2 cmd/flux/reconcile.go, reconcile_with_source.go, reconcile_helmrelease.go):
//   get the object (not found / no CRD => the API error) -> "resource is suspended" -> the source first when asked ->
//   ► annotating <Kind> <name> in <ns> namespace -> reconcile.fluxcd.io/requestedAt = now (RFC3339Nano; HelmRelease
//   --force/--reset also set forceAt/resetAt to the same value, fluxcd/flux2#4436) -> ✔ <Kind> annotated ->
//   ◎ waiting for <Kind> reconciliation -> until status.lastHandledReconcileAt changes and kstatus is Current ->
//   Ready=True: ✔ <successMessage>; else "<Kind> reconciliation failed: <message>".
// A wait past --timeout fails with the context's error, "context deadline exceeded" (wait.PollUntilContextTimeout).
import type { KObject } from '../store/types.js';
import { FluxError, labTimeout, log, pollUntil, rfc3339Nano, type FluxCtx } from './context.js';
import { getObject, GITREPOSITORY, HELMRELEASE, KUSTOMIZATION, readyCondition, resourceOf, SOURCES, type FluxKind } from './kinds.js';
import { isCurrent } from './kstatus.js';

const REQUESTED = 'reconcile.fluxcd.io/requestedAt';
const FORCE = 'reconcile.fluxcd.io/forceAt';
const RESET = 'reconcile.fluxcd.io/resetAt';

interface Target {
  kind: FluxKind;
  namespace: string;
  name: string;
  /** reconcileWithSourceCommand (its failure text has no quotes) vs reconcileCommand */
  withSourceCommand: boolean;
  reconcileSource: boolean;
  annotations?: (ts: string) => Record<string, string>;
}

/** the source a Kustomization or HelmRelease reconciles first (kustomization.go / reconcile_helmrelease.go getSource) */
function sourceOf(kind: FluxKind, o: KObject): Target {
  if (kind === KUSTOMIZATION) {
    const ref = o.spec?.sourceRef ?? {};
    const k = SOURCES[ref.kind] ?? GITREPOSITORY;
    return { kind: k, namespace: ref.namespace || o.metadata.namespace!, name: ref.name, withSourceCommand: false, reconcileSource: false };
  }
  if (kind === SOURCES.HelmChart) {
    const ref = o.spec?.sourceRef ?? {};
    return { kind: SOURCES[ref.kind] ?? SOURCES.HelmRepository!, namespace: o.metadata.namespace!, name: ref.name, withSourceCommand: false, reconcileSource: false };
  }
  // a HelmChartTemplate: the HelmChart "<ns>-<name>" in the chart's source namespace, reconciled with its own source
  const ref = o.spec?.chartRef;
  if (ref) return { kind: SOURCES[ref.kind] ?? SOURCES.OCIRepository!, namespace: ref.namespace || o.metadata.namespace!, name: ref.name, withSourceCommand: ref.kind === 'HelmChart', reconcileSource: ref.kind === 'HelmChart' };
  const ns = o.spec?.chart?.spec?.sourceRef?.namespace || o.metadata.namespace!;
  return { kind: SOURCES.HelmChart!, namespace: ns, name: `${o.metadata.namespace}-${o.metadata.name}`, withSourceCommand: true, reconcileSource: true };
}

async function reconcile(c: FluxCtx, t: Target): Promise<void> {
  const o = getObject(c, t.kind, t.namespace, t.name);
  if (o.spec?.suspend) throw new FluxError('resource is suspended');
  if (t.reconcileSource) await reconcile(c, sourceOf(t.kind, o));
  const lastHandled = o.status?.lastHandledReconcileAt;
  log.action(c, `annotating ${t.kind.kind} ${t.name} in ${t.namespace} namespace`);
  const ts = rfc3339Nano();
  const fresh = getObject(c, t.kind, t.namespace, t.name);
  const annotations = { ...(fresh.metadata.annotations ?? {}), [REQUESTED]: ts, ...(t.annotations?.(ts) ?? {}) };
  c.world.store.update(resourceOf(t.kind), { ...fresh, metadata: { ...fresh.metadata, annotations } });
  c.world.record('flux-cli-reconcile', `${t.kind.kind.toLowerCase()}/${t.namespace}/${t.name}`, ts);
  log.success(c, `${t.kind.kind} annotated`);
  log.waiting(c, `waiting for ${t.kind.kind} reconciliation`);
  let now = fresh;
  const handled = await pollUntil(() => {
    now = getObject(c, t.kind, t.namespace, t.name);
    return now.status?.lastHandledReconcileAt !== lastHandled && isCurrent(now);
  }, labTimeout(c));
  if (!handled) throw new FluxError('context deadline exceeded');
  const ready = readyCondition(now);
  if (!ready) throw new FluxError("status can't be determined");
  if (ready.status !== 'True') throw new FluxError(t.withSourceCommand ? `${t.kind.kind} reconciliation failed: ${ready.message}` : `${t.kind.kind} reconciliation failed: '${ready.message}'`);
  log.success(c, t.kind.success(now));
}

export async function reconcileCmd(c: FluxCtx, kind: FluxKind): Promise<void> {
  // "%s name is required" with reconcile.kind (the API kind)
  const name = c.args[0];
  if (name === undefined) throw new FluxError(`${kind.kind} name is required`);
  const hr = kind === HELMRELEASE;
  await reconcile(c, {
    kind, namespace: c.namespace, name, withSourceCommand: kind !== GITREPOSITORY, reconcileSource: kind !== GITREPOSITORY && !!c.flags['with-source'],
    ...(hr ? { annotations: (ts: string) => ({ ...(c.flags.force ? { [FORCE]: ts } : {}), ...(c.flags.reset ? { [RESET]: ts } : {}) }) } : {}),
  });
}
