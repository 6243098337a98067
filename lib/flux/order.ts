// Flux's dependsOn order (spec.dependsOn of Kustomizations and HelmReleases, same kind, namespace defaulting to the
// object's own): what must be Ready before what. `flux resume --all` resumes in list order and lets dependents fail
// with DependencyNotReady until their dependencies come back (fluxcd/flux2 issue 2379); rackhand resumes in this order.
import type { FluxRef, FluxObject } from './objects.ts';

const key = (r: { kind: string; namespace: string; name: string }) => `${r.kind}/${r.namespace}/${r.name}`;

/** `refs` with each one after those of them it depends on (directly or through others in the set); a cycle keeps
 *  the rest in their given order and is named. */
export function dependsOnOrder(refs: { ref: FluxRef; o: FluxObject }[]): { ordered: FluxRef[]; cycle?: string[] } {
  const byKey = new Map(refs.map((r) => [key(r.ref), r]));
  const deps = (r: { ref: FluxRef; o: FluxObject }) => (r.o.spec?.dependsOn ?? [])
    .map((d) => key({ kind: r.ref.kind, namespace: d.namespace ?? r.ref.namespace, name: d.name }))
    .filter((k) => byKey.has(k));
  const ordered: FluxRef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  let cycle: string[] | undefined;
  const visit = (k: string, path: string[]) => {
    if (state.get(k) === 'done') return;
    if (state.get(k) === 'visiting') { cycle ??= [...path.slice(path.indexOf(k)), k]; return; }
    state.set(k, 'visiting');
    for (const d of deps(byKey.get(k)!)) visit(d, [...path, k]);
    state.set(k, 'done');
    ordered.push(byKey.get(k)!.ref);
  };
  for (const r of refs) visit(key(r.ref), []);
  return { ordered, ...(cycle ? { cycle } : {}) };
}
