// The status a kubelet reports for a pod that runs to completion: ContainerCreating while its volumes are missing or
// it is about to start, Running while containers run, then Succeeded or Failed with every container terminated
// (exitCode, reason Completed|Error, startedAt, finishedAt) and Ready False reason PodCompleted|PodFailed
// (pkg/kubelet/status/generate.go, pkg/kubelet/kubelet_pods.go convertToAPIContainerStatuses), and the FailedMount
// event of a pod whose claim is missing or unbound.
import { createHash } from 'node:crypto';
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';
import type { Condition } from './util.js';

export interface Outcome {
  exitCode: number;
  startedAt: number;
  finishedAt: number;
  log: string;
  message?: string;
}

export interface PodRun {
  /** when the containers start (lab ms) */
  startAt: number;
  startedAt?: number;
  /** this attempt's finished containers */
  results: Map<string, Outcome>;
  /** the last failed run of a restarted container (lastState, logs --previous) */
  previous: Map<string, Outcome>;
  restarts: Map<string, number>;
  done: boolean;
  abort: AbortController;
}

const containerId = (pod: KObject, name: string, attempt: number) =>
  `containerd://${createHash('sha256').update(`${pod.metadata.uid}/${name}/${attempt}`).digest('hex')}`;

function terminated(o: Outcome, id: string) {
  return {
    containerID: id, exitCode: o.exitCode, reason: o.exitCode === 0 ? 'Completed' : 'Error',
    startedAt: timestamp(o.startedAt), finishedAt: timestamp(o.finishedAt), ...(o.message ? { message: o.message } : {}),
  };
}

let ipCounter = 4096;

/** Replaces a condition whole (no stale reason or message); lastTransitionTime moves only when the status does. */
function put(conds: Condition[] | undefined, next: Condition, now: number): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const c = { ...next, lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime! : timestamp(now) };
  if (i >= 0) list[i] = c;
  else list.push(c);
  return list;
}

export function podStatus(pod: KObject, node: KObject, run: PodRun | undefined, now: number): any {
  const containers: any[] = pod.spec?.containers ?? [];
  let conditions: Condition[] | undefined = put(pod.status?.conditions, { type: 'PodScheduled', status: 'True' }, now);
  if (!run?.startedAt) {
    const containerStatuses = containers.map((c) => ({
      name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, lastState: {}, state: { waiting: { reason: 'ContainerCreating' } },
    }));
    return { ...pod.status, phase: 'Pending', conditions, containerStatuses };
  }
  // init containers run first, each to completion; until they all succeeded the containers wait (PodInitializing)
  const inits: any[] = pod.spec?.initContainers ?? [];
  const initializing = inits.some((c) => run.results.get(c.name)?.exitCode !== 0);
  const status = (c: any, init: boolean) => {
    const restarts = run.restarts.get(c.name) ?? 0;
    const prev = run.previous.get(c.name);
    const r = run.results.get(c.name);
    const base = {
      name: c.name, image: c.image, imageID: `${c.image}@sha256:${'0'.repeat(64)}`, containerID: containerId(pod, c.name, restarts), restartCount: restarts,
      lastState: prev ? { terminated: terminated(prev, containerId(pod, c.name, restarts - 1)) } : {},
    };
    if (r) return { ...base, ready: false, started: false, state: { terminated: terminated(r, base.containerID) } };
    if (init || initializing) return { ...base, ready: false, started: false, state: { waiting: { reason: 'PodInitializing' } } };
    return { ...base, ready: true, started: true, state: { running: { startedAt: timestamp(run.startedAt!) } } };
  };
  const containerStatuses = containers.map((c) => status(c, false));
  const initContainerStatuses = inits.map((c) => status(c, true));
  const phase = !run.done ? 'Running' : containers.every((c) => run.results.get(c.name)?.exitCode === 0) ? 'Succeeded' : 'Failed';
  if (phase === 'Running') {
    const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
    const ready: Condition = unready.length
      ? { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
      : { type: 'Ready', status: 'True' };
    for (const c of [{ type: 'PodReadyToStartContainers', status: 'True' }, { type: 'Initialized', status: 'True' }, ready, { ...ready, type: 'ContainersReady' }] as Condition[]) {
      conditions = put(conditions, c, now);
    }
  } else {
    const reason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
    conditions = put(conditions, { type: 'PodReadyToStartContainers', status: 'False' }, now);
    conditions = put(conditions, { type: 'Initialized', status: 'True', reason: 'PodCompleted' }, now);
    for (const type of ['Ready', 'ContainersReady']) conditions = put(conditions, { type, status: 'False', reason }, now);
  }
  const hostIP = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
  const podIP = pod.status?.podIP ?? (pod.spec?.hostNetwork ? hostIP : `10.244.${ipCounter >> 8}.${ipCounter++ & 255}`);
  return {
    ...pod.status, phase, conditions, containerStatuses, ...(inits.length ? { initContainerStatuses } : {}), ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}), startTime: pod.status?.startTime ?? timestamp(run.startedAt),
  };
}

/**
 * The kubelet's volume manager event for a claim it cannot mount (approximate text: pkg/kubelet/volumemanager/
 * volume_manager.go WaitForAttachAndMount around populator/desired_state_of_world_populator.go getPVCExtractPV).
 */
export function failedMountEvent(pod: KObject, node: KObject, claim: string, pvc: KObject | undefined, now: number): KObject {
  const ns = pod.metadata.namespace!;
  const why = pvc ? `PVC ${ns}/${claim} has non-bound phase ("${pvc.status?.phase ?? 'Pending'}") or empty pvc.Spec.VolumeName ("${pvc.spec?.volumeName ?? ''}")`
    : `failed to fetch PVC from API server: persistentvolumeclaims "${claim}" not found`;
  const volume = (pod.spec?.volumes ?? []).find((v: any) => v.persistentVolumeClaim?.claimName === claim)?.name;
  return {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${pod.metadata.name}.${createHash('sha256').update(`${pod.metadata.uid}/${claim}`).digest('hex').slice(0, 16)}`, namespace: ns },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid },
    reason: 'FailedMount', type: 'Warning', count: 1, firstTimestamp: timestamp(now), lastTimestamp: timestamp(now),
    message: `Unable to attach or mount volumes: unmounted volumes=[${volume}], unattached volumes=[${volume}]: error processing PVC ${ns}/${claim}: ${why}`,
    source: { component: 'kubelet', host: node.metadata.name }, reportingComponent: 'kubelet', reportingInstance: node.metadata.name,
  };
}
