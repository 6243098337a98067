// Which Flux objects a flux:* task acts on: one object (--kind K --name [NS/]NAME), an app's Kustomization and
// HelmRelease (--app A, HelmRelease in --namespace when given), or every Kustomization and HelmRelease (--all, in
// --namespace when given). A name that matches nothing is a refusal naming what was looked for.
import { UsageError, type TaskContext } from '../engine/types.ts';
import { FLUX_KINDS, fluxKind, KIND_HINT, refOf, type FluxKind } from './kinds.ts';
import { getFlux, type FluxObject, type FluxRef } from './objects.ts';
import { fluxObjects } from './ready.ts';

export const TARGET_FLAGS = {
  kind: { type: 'string', description: `the kind of --name: ${KIND_HINT}` },
  name: { type: 'string', pattern: /^([a-z0-9][a-z0-9-]*\/)?[a-z0-9][a-z0-9.-]*$/, hint: 'NAME or NAMESPACE/NAME', description: 'one object (with --kind)' },
  app: { type: 'string', pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'an app name, e.g. gatus', description: 'the app\'s Kustomization and HelmRelease (both named like the app)' },
  all: { type: 'boolean', description: 'every Kustomization and HelmRelease (in --namespace when given)' },
  namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'the namespace of --name, --app\'s HelmRelease, or --all' },
} as const;

export interface Target { ref: FluxRef; o: FluxObject }

export function validateTarget(ctx: TaskContext, o: { required: boolean }): void {
  const f = ctx.flags;
  const chosen = [f.name !== undefined, f.app !== undefined, f.all === true].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('expected one of --kind K --name NAME, --app A or --all');
  if (o.required && chosen === 0) throw new UsageError('expected --kind K --name NAME, --app A or --all');
  if ((f.name === undefined) !== (f.kind === undefined)) throw new UsageError('--kind and --name go together (e.g. --kind ks --name flux-system/apps)');
  if (f.kind !== undefined && !fluxKind(f.kind as string)) throw new UsageError(`--kind: expected ${KIND_HINT} (got "${String(f.kind)}")`);
}

const APPS: FluxKind[] = FLUX_KINDS.filter((k) => !k.source);

/** The selected objects; undefined when no selector was given (the task picks its own default). */
export async function selectTargets(ctx: TaskContext): Promise<Target[] | undefined> {
  const f = ctx.flags;
  if (f.name !== undefined) {
    const k = fluxKind(f.kind as string)!;
    const [ns, name] = (f.name as string).includes('/') ? (f.name as string).split('/') as [string, string] : [(f.namespace as string | undefined) ?? 'flux-system', f.name as string];
    const ref = refOf(k, ns, name);
    const o = await getFlux(ctx.kubectl, ref);
    return o ? [{ ref, o }] : [];
  }
  if (f.app !== undefined) {
    const all = await fluxObjects(ctx, APPS);
    return all.filter(({ k, o }) => o.metadata.name === f.app && (k.kind === 'Kustomization' || f.namespace === undefined || o.metadata.namespace === f.namespace))
      .map(({ k, o }) => ({ ref: refOf(k, o.metadata.namespace!, o.metadata.name), o }));
  }
  if (f.all === true) {
    return (await fluxObjects(ctx, APPS, f.namespace as string | undefined)).map(({ k, o }) => ({ ref: refOf(k, o.metadata.namespace!, o.metadata.name), o }));
  }
  return undefined;
}

export function describeSelector(ctx: TaskContext): string {
  const f = ctx.flags;
  if (f.name !== undefined) return `${String(f.kind)} ${String(f.name)}`;
  if (f.app !== undefined) return `app ${String(f.app)}${f.namespace ? ` (HelmRelease in ${String(f.namespace)})` : ''}`;
  return `every Kustomization and HelmRelease${f.namespace ? ` in ${String(f.namespace)}` : ''}`;
}
