// flux suspend|resume <kind> [NAME...] [--all] [--wait] (fluxcd/flux2 cmd/flux/suspend.go, resume.go):
// - suspend: "► suspending <humanKind> <name> in <ns> namespace", spec.suspend=true, "✔ <humanKind> suspended"; a
//   missing name is "✗ <Kind> <name> not found in <ns> namespace" and the command still exits 0; --all over nothing
//   fails with "no objects found";
// - resume: "► resuming ...", spec.suspend=false, "✔ <humanKind> resumed"; then waits (kstatus Current) only for a
//   single name without --wait, or with --wait: "◎ waiting for <Kind> reconciliation", "✔ <Kind> <name>
//   reconciliation completed", "✔ <successMessage>" (a wait that fails prints "✗ <error>" before those two lines and
//   still exits 0: printMessage). Nothing found: "✗ no <Kind> objects found in <ns> namespace", exit 0.
import type { KObject } from '../store/types.js';
import { FluxError, labTimeout, log, pollUntil, type FluxCtx } from './context.js';
import { getObject, listObjects, resourceOf, type FluxKind } from './kinds.js';
import { isCurrent } from './kstatus.js';

function setSuspend(c: FluxCtx, kind: FluxKind, o: KObject, suspend: boolean): void {
  c.world.store.update(resourceOf(kind), { ...o, spec: { ...o.spec, suspend } });
  c.world.record(suspend ? 'flux-cli-suspend' : 'flux-cli-resume', `${kind.kind.toLowerCase()}/${o.metadata.namespace}/${o.metadata.name}`);
}

/** the objects named (each once), or all of the namespace's with --all and no names */
function targets(c: FluxCtx, kind: FluxKind): { name: string; found: KObject[] }[] {
  if (!c.args.length) {
    if (!c.flags.all) throw new FluxError(`${kind.humanKind} name is required`);
    return [{ name: '', found: listObjects(c, kind, c.namespace) }];
  }
  const all = listObjects(c, kind, c.namespace);
  return [...new Set(c.args)].map((name) => ({ name, found: all.filter((o) => o.metadata.name === name) }));
}

export async function suspendCmd(c: FluxCtx, kind: FluxKind): Promise<void> {
  for (const t of targets(c, kind)) {
    if (!t.found.length) {
      if (!t.name) throw new FluxError('no objects found');
      log.failure(c, `${kind.kind} ${t.name} not found in ${c.namespace} namespace`);
      continue;
    }
    for (const o of t.found) {
      log.action(c, `suspending ${kind.humanKind} ${o.metadata.name} in ${c.namespace} namespace`);
      setSuspend(c, kind, o, true);
      log.success(c, `${kind.humanKind} suspended`);
    }
  }
}

export async function resumeCmd(c: FluxCtx, kind: FluxKind): Promise<void> {
  const wait = (!c.changed.has('wait') && c.args.length === 1) || !!c.flags.wait;
  const resumed: KObject[] = [];
  for (const t of targets(c, kind)) {
    if (!t.found.length) {
      log.failure(c, `no ${kind.kind} objects found in ${c.namespace} namespace`);
      continue;
    }
    for (const o of t.found) {
      log.action(c, `resuming ${kind.humanKind} ${o.metadata.name} in ${c.namespace} namespace`);
      setSuspend(c, kind, o, false);
      resumed.push(o);
      log.success(c, `${kind.humanKind} resumed`);
    }
  }
  if (!wait) return;
  const results = await Promise.all(resumed.map(async (o) => {
    log.waiting(c, `waiting for ${kind.kind} reconciliation`);
    let now = o;
    const ok = await pollUntil(() => {
      now = getObject(c, kind, c.namespace, o.metadata.name!);
      return isCurrent(now);
    }, labTimeout(c));
    return { o: now, error: ok ? undefined : 'context deadline exceeded' };
  }));
  for (const r of results.sort((a, b) => a.o.metadata.name!.localeCompare(b.o.metadata.name!))) {
    if (r.error) log.failure(c, r.error);
    log.success(c, `${kind.kind} ${r.o.metadata.name} reconciliation completed`);
    log.success(c, kind.success(r.o));
  }
}
