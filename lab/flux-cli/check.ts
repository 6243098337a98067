// flux check [--pre] (fluxcd/flux2 cmd/flux/check.go, 2.5+ layout, golden testdata/check/check_pre.golden):
//   ► Checking flux pre-requisites / ✔ flux 2.7.0 >=2.7.0 (latest CLI version)
//   ► Checking kubernetes pre-requisites / ✔ kubernetes 1.33.1>=1.32.0-0
//   --pre: ► All pre-requisites checks passed | error "pre-requisites checks failed"
//   ► Checking flux installation status / ✔ distribution: flux-v2.7.0 / ✔ bootstrapped: false
//   (the status checker logs "✔ <deploy>: deployment ready" while it waits, before the next header)
//   ► Checking flux controllers / ✔ <image> per container | ✗ no controllers found in the 'flux-system' namespace ...
//   ► Checking flux crds / ✔ <crd>/<stored version> | ✗ no crds found with the label selector ...
//   ► All checks passed | error "checks failed" (printed "✗ checks failed", exit 1)
// The latest-version lookup (GitHub) is answered with the CLI's own version: the lab is offline.
import type { KObject } from '../store/types.js';
import { FluxError, labTimeout, log, pollUntil, type FluxCtx } from './context.js';
import { isDeploymentCurrent } from './kstatus.js';

const PART_OF = 'app.kubernetes.io/part-of';

/** kubernetesConstraints per Flux minor: 2.5 >=1.30 (fluxcd/flux2#5200), 2.6 >=1.31 (#5364), 2.7 >=1.32 (#5533), 2.8+ >=1.33 (#5730) */
export function kubernetesConstraint(fluxVersion: string): string {
  const minor = Number(fluxVersion.split('.')[1] ?? 0);
  return `>=1.${Math.min(33, Math.max(30, minor + 25))}.0-0`;
}

const semver = (v: string) => v.replace(/^v/, '').split(/[-+]/)[0]!.split('.').map(Number) as [number, number, number];
const atLeast = (a: number[], b: number[]) => { for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0); return true; };

interface Entry { name: string; failed?: boolean }

function report(c: FluxCtx, title: string, entries: Entry[]): boolean {
  log.action(c, `Checking ${title}`);
  for (const e of entries) (e.failed ? log.failure : log.success)(c, e.name);
  return !entries.some((e) => e.failed);
}

function preChecks(c: FluxCtx): boolean {
  const v = c.world.version;
  const ok1 = report(c, 'flux pre-requisites', [{ name: `flux ${v} >=${v} (latest CLI version)` }]);
  const kv = c.world.kubernetesVersion().replace(/^v/, '');
  const constraint = kubernetesConstraint(v);
  const ok2 = report(c, 'kubernetes pre-requisites', [{ name: `kubernetes ${kv}${constraint}`, failed: !atLeast(semver(kv), semver(constraint.slice(2))) }]);
  return ok1 && ok2;
}

function installationStatus(c: FluxCtx): Entry[] {
  // cluster_info.go: labels of the gitrepositories.source.toolkit.fluxcd.io CRD
  const crd = c.world.store.find('customresourcedefinitions.apiextensions.k8s.io', undefined, 'gitrepositories.source.toolkit.fluxcd.io');
  if (!crd) return [{ name: 'error getting cluster info: customresourcedefinitions.apiextensions.k8s.io "gitrepositories.source.toolkit.fluxcd.io" not found', failed: true }];
  const labels = crd.metadata.labels ?? {};
  const version = labels['app.kubernetes.io/version'] ?? '';
  const distribution = labels[PART_OF] ? `${labels[PART_OF]}-${version}` : version;
  const bootstrapped = 'kustomize.toolkit.fluxcd.io/namespace' in labels;
  return [...(distribution ? [{ name: `distribution: ${distribution}` }] : []), { name: `bootstrapped: ${bootstrapped}` }];
}

async function controllers(c: FluxCtx): Promise<Entry[]> {
  const list = c.world.store.list('deployments.apps', { namespace: c.namespace, labelSelector: `${PART_OF}=flux` }).items;
  if (!list.length) return [{ name: `no controllers found in the '${c.namespace}' namespace with the label selector '${PART_OF}=flux'`, failed: true }];
  const entries: Entry[] = [];
  for (const d of list) {
    const name = d.metadata.name!;
    let now: KObject = d;
    // pkg/status StatusChecker.Assess: polls until Current or --timeout, logs "<name>: deployment ready|not ready|not found"
    const ok = await pollUntil(() => {
      const found = c.world.store.find('deployments.apps', c.namespace, name);
      if (found) now = found;
      return !!found && isDeploymentCurrent(found);
    }, labTimeout(c));
    if (ok) log.success(c, `${name}: deployment ready`);
    else log.failure(c, `${name}: deployment not ready`);
    if (!ok) entries.push({ name: `error checking status of ${name}: timed out waiting for condition`, failed: true });
    else entries.push(...(now.spec?.template?.spec?.containers ?? []).map((x: any) => ({ name: String(x.image) })));
  }
  return entries;
}

function crds(c: FluxCtx): Entry[] {
  const list = c.world.store.list('customresourcedefinitions.apiextensions.k8s.io', { labelSelector: `${PART_OF}=flux` }).items;
  if (!list.length) return [{ name: `no crds found with the label selector '${PART_OF}=flux'`, failed: true }];
  return list.map((crd) => {
    const stored: string[] = crd.status?.storedVersions ?? [];
    return stored.length ? { name: `${crd.metadata.name}/${stored[stored.length - 1]}` } : { name: `no stored versions for ${crd.metadata.name}`, failed: true };
  });
}

export async function checkCmd(c: FluxCtx): Promise<void> {
  if (c.args.length) throw new FluxError(`unknown command "${c.args[0]}" for "flux check"`); // cobra.NoArgs
  const pre = preChecks(c);
  if (!pre) {
    c.world.record('flux-cli-check', c.namespace, 'failed');
    throw new FluxError('pre-requisites checks failed');
  }
  if (c.flags.pre) {
    log.action(c, 'All pre-requisites checks passed');
    return;
  }
  const results = [
    report(c, 'flux installation status', installationStatus(c)),
    report(c, 'flux controllers', await controllers(c)),
    report(c, 'flux crds', crds(c)),
  ];
  c.world.record('flux-cli-check', c.namespace, results.every(Boolean) ? 'passed' : 'failed');
  if (!results.every(Boolean)) throw new FluxError('checks failed');
  log.action(c, 'All checks passed');
}
