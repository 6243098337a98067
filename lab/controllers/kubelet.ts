// The kubelets: a bound pod on a Ready node starts (Pending -> Running, all conditions True, podIP) after
// podStartMs, kwok-style (kustomize/stage/pod/fast/pod-ready.yaml). On a node that is not Ready its pods lose
// Ready (nodelifecycle MarkPodsNotReady); after a reboot (new bootID) containers restart. Pods of Jobs run to
// completion instead: lab/controllers/containers.ts.
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';
import { containerEnv } from './containers.js';
import { isJobPod } from './jobs.js';
import { nodeReady } from './placement.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

export class Kubelets implements Controller {
  readonly name = 'kubelets';
  /** pod uid => when it will be Ready, and the node bootID it started under */
  private readonly starting = new Map<string, number>();
  private readonly bootOf = new Map<string, string>();
  private ipCounter = 10;
  /** pods whose Multi-Attach error was recorded */
  private readonly multiAttach = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const nodes = new Map(store.list('nodes').items.map((n) => [n.metadata.name!, n]));
    const live = new Set<string>();
    for (const pod of store.list('pods').items) {
      const uid = pod.metadata.uid!;
      live.add(uid);
      const node = nodes.get(pod.spec?.nodeName ?? '');
      if (!node || pod.metadata.deletionTimestamp || isJobPod(pod)) continue;
      // a terminal pod (Failed, e.g. Evicted; Succeeded) is never started again (pkg/kubelet: terminal phases are final)
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') continue;
      const ready = nodeReady(node);
      const boot = node.status?.nodeInfo?.bootID ?? '';
      const running = pod.status?.phase === 'Running';
      const isReady = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      if (!ready) {
        this.starting.delete(uid);
        if (isReady) writeStatus(store, 'pods', pod, this.notReady(pod, now));
        continue;
      }
      if (running && isReady && this.bootOf.get(uid) === boot) continue;
      if (running && isReady && !this.bootOf.has(uid)) { this.bootOf.set(uid, boot); continue; }
      const holder = running ? undefined : attachedElsewhere(store.list('pods').items, pod, (c) => store.find('persistentvolumeclaims', pod.metadata.namespace, c));
      if (holder) {
        this.starting.delete(uid);
        if (!pod.status?.containerStatuses) writeStatus(store, 'pods', pod, this.creating(pod, now));
        if (!this.multiAttach.has(uid)) {
          this.multiAttach.add(uid);
          // kubernetes pkg/controller/volume/attachdetach/reconciler/reconciler.go reportMultiAttachError
          this.ctx.record('FailedAttachVolume', `${pod.metadata.namespace}/${pod.metadata.name}`, `Multi-Attach error for volume "${holder.claim}" Volume is already used by pod(s) ${holder.pod}`);
        }
        continue;
      }
      let at = this.starting.get(uid);
      if (at === undefined) {
        at = now + this.ctx.options.podStartMs * clock.scale;
        this.starting.set(uid, at);
        clock.after(this.ctx.options.podStartMs, this.ctx.requestSync);
        if (!running) writeStatus(store, 'pods', pod, this.creating(pod, now));
      }
      if (now < at) continue;
      const restarted = running && this.bootOf.has(uid) && this.bootOf.get(uid) !== boot;
      this.starting.delete(uid);
      this.bootOf.set(uid, boot);
      // the environment is fixed when the containers start: a Secret changed later reaches env only on a restart
      this.ctx.podEnvs?.set(uid, Object.fromEntries((pod.spec?.containers ?? []).map((c: any) => [c.name, containerEnv(pod, c, store)])));
      writeStatus(store, 'pods', pod, this.started(pod, node, now, restarted));
    }
    for (const uid of this.starting.keys()) if (!live.has(uid)) this.starting.delete(uid);
    for (const uid of this.bootOf.keys()) if (!live.has(uid)) this.bootOf.delete(uid);
    for (const uid of this.ctx.podEnvs?.keys() ?? []) if (!live.has(uid)) this.ctx.podEnvs!.delete(uid);
  }

  /** bound, containers not started yet: printPod shows the waiting reason ContainerCreating */
  private creating(pod: KObject, now: number) {
    const conditions = setCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'True' }, now);
    const containerStatuses = (pod.spec?.containers ?? []).map((c: any) => ({
      name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } },
    }));
    return { ...pod.status, conditions, containerStatuses };
  }

  private notReady(pod: KObject, now: number) {
    const conditions = setCondition(pod.status?.conditions, { type: 'Ready', status: 'False', reason: 'NodeNotReady' }, now);
    return { ...pod.status, conditions };
  }

  private started(pod: KObject, node: KObject, now: number, restarted: boolean) {
    let conditions = pod.status?.conditions;
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
      conditions = setCondition(conditions, { type, status: 'True' }, now);
    }
    const startedAt = timestamp(now);
    const prevStatuses: any[] = pod.status?.containerStatuses ?? [];
    const containerStatuses = (pod.spec?.containers ?? []).map((c: any) => {
      const prev = prevStatuses.find((s) => s.name === c.name);
      return {
        name: c.name, image: c.image, imageID: `${c.image}@sha256:${'0'.repeat(64)}`, containerID: `containerd://${pod.metadata.uid!.replace(/-/g, '')}`,
        ready: true, started: true, restartCount: (prev?.restartCount ?? 0) + (restarted ? 1 : 0), state: { running: { startedAt } },
      };
    });
    const hostIP = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
    const podIP = pod.status?.podIP ?? (pod.spec?.hostNetwork ? hostIP : `10.244.${this.ipCounter >> 8}.${this.ipCounter++ & 255}`);
    return {
      ...pod.status, phase: 'Running', conditions, containerStatuses, podIP, podIPs: [{ ip: podIP }],
      ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}), startTime: pod.status?.startTime ?? startedAt,
    };
  }
}

/** What a long-running container "printed": the lab runs no image, so each start leaves one line naming the image,
 *  with the time the kubelet started it (previous: the run before the last restart, when there was one). */
export function runningContainerLog(pod: KObject, container: string, previous: boolean): string {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c: any) => c.name === container);
  const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === container);
  const startedAt = previous ? st?.lastState?.terminated?.startedAt : st?.state?.running?.startedAt;
  if (!spec || !startedAt) return '';
  return `${startedAt} lab: container ${container} started from ${spec.image} on ${pod.spec?.nodeName}\n`;
}

/** A ReadWriteOnce claim of the pod that a live pod on another node already uses (the attach/detach controller
 *  attaches an RWO volume to one node only: the pod waits in ContainerCreating; ReadWriteOncePod: any other pod).
 *  Only a Running holder counts, so two pods starting at once never wait for each other. */
export function attachedElsewhere(pods: KObject[], pod: KObject, claimOf: (name: string) => KObject | undefined): { claim: string; pod: string } | undefined {
  const claims = (pod.spec?.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName as string | undefined).filter((c: string | undefined): c is string => !!c);
  for (const claim of claims) {
    const modes: string[] = claimOf(claim)?.spec?.accessModes ?? ['ReadWriteOnce'];
    const perPod = modes.includes('ReadWriteOncePod');
    if (!perPod && !modes.includes('ReadWriteOnce')) continue;
    if (!perPod && modes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany')) continue;
    const other = pods.find((p) => p.metadata.uid !== pod.metadata.uid && p.metadata.namespace === pod.metadata.namespace && !p.metadata.deletionTimestamp
      && p.spec?.nodeName && (perPod || p.spec.nodeName !== pod.spec?.nodeName)
      && p.status?.phase === 'Running'
      && (p.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim));
    if (other) return { claim, pod: other.metadata.name! };
  }
  return undefined;
}
