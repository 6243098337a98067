// Which nodes a pod may run on: Ready, schedulable, NoSchedule/NoExecute taints tolerated, nodeSelector matched
// (pkg/scheduler/framework/plugins: nodeunschedulable, tainttoleration, nodeaffinity; v1helper.TolerationsTolerateTaint).
import type { KObject } from '../store/types.js';

export function tolerates(tolerations: any[] | undefined, taint: { key: string; value?: string; effect: string }): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

export const nodeReady = (n: KObject): boolean => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

export function fits(podSpec: any, node: KObject, opts: { ignoreUnschedulable?: boolean; ignoreReadiness?: boolean } = {}): boolean {
  if (!opts.ignoreReadiness && !nodeReady(node)) return false;
  if (!opts.ignoreUnschedulable && node.spec?.unschedulable && !tolerates(podSpec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return false;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerates(podSpec?.tolerations, taint)) return false;
  }
  const labels = node.metadata.labels ?? {};
  return Object.entries((podSpec?.nodeSelector ?? {}) as Record<string, string>).every(([k, v]) => labels[k] === v);
}

/** DaemonSet pods tolerate these automatically (pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations). */
export const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
