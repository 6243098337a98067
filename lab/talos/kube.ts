// What the Talos side does to Kubernetes: cordon (with or without talos.dev/cordoned), uncordon, and drain through
// the lab's eviction path, so PodDisruptionBudgets are honoured exactly as for kubectl.
import type { ApiContext } from '../http/context.js';
import { evictPod } from '../http/eviction.js';
import { nodeReady } from '../controllers/placement.js';
import { StatusError } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { restoreSnapshot, takeSnapshot, type DatastoreDump } from '../store/dump.js';

// pkg/machinery/constants: AnnotationCordonedKey = "talos.dev/cordoned", AnnotationCordonedValue = "true"
export const CORDONED_KEY = 'talos.dev/cordoned';

export class Kube {
  /** afterNodeWrite: lets the node controller observe a cordon/uncordon at once, so the event log keeps causal order */
  constructor(private readonly api: ApiContext, private readonly afterNodeWrite: () => void = () => undefined) {}

  /** the API server's /version gitVersion (upgrade-k8s moves it) */
  kubernetesVersion(): string {
    return this.api.gitVersion;
  }

  setKubernetesVersion(v: string): void {
    this.api.gitVersion = v;
  }

  node(name: string): KObject | undefined {
    return this.api.store.find('nodes', undefined, name);
  }

  ready(name: string): boolean {
    const n = this.node(name);
    return !!n && nodeReady(n);
  }

  /** pkg/kubernetes Client.Cordon: a node that is already unschedulable is left as it is (and NOT annotated) */
  cordon(name: string, annotate: boolean): boolean {
    const n = this.node(name);
    if (!n || n.spec?.unschedulable) return false;
    const annotations = { ...(n.metadata.annotations ?? {}), ...(annotate ? { [CORDONED_KEY]: 'true' } : {}) };
    this.api.store.update('nodes', { ...n, metadata: { ...n.metadata, annotations }, spec: { ...n.spec, unschedulable: true } });
    this.afterNodeWrite();
    return true;
  }

  /** pkg/kubernetes Client.Uncordon(name, force=false): only a node carrying talos.dev/cordoned=true; the annotation goes too */
  uncordonIfTalos(name: string): boolean {
    const n = this.node(name);
    if (!n || n.metadata.annotations?.[CORDONED_KEY] !== 'true') return false;
    return this.uncordon(name);
  }

  uncordon(name: string): boolean {
    const n = this.node(name);
    if (!n) return false;
    const annotations = { ...(n.metadata.annotations ?? {}) };
    const had = CORDONED_KEY in annotations;
    delete annotations[CORDONED_KEY];
    if (!n.spec?.unschedulable && !had) return false;
    const spec = { ...n.spec };
    delete spec.unschedulable;
    this.api.store.update('nodes', { ...n, metadata: { ...n.metadata, annotations }, spec });
    this.afterNodeWrite();
    return true;
  }

  /** writes .status.nodeInfo fields (the kubelet reports them after a reboot or an upgrade) */
  setNodeInfo(name: string, info: KubeNodeInfo): void {
    const n = this.node(name);
    if (!n) return;
    this.api.store.update('nodes', { ...n, status: { ...n.status, nodeInfo: { ...n.status?.nodeInfo, ...info } } }, { subresource: 'status' });
  }

  setOsImage(name: string, osImage: string): void {
    this.setNodeInfo(name, { osImage });
  }

  resourceVersion(): number {
    return this.api.store.resourceVersion;
  }

  /** every object of the kinds a lab cares about: what an etcd snapshot of the lab "contains" */
  snapshot(): { resourceVersion: number; objects: KObject[] } {
    const objects = ['namespaces', 'nodes', 'pods', 'deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'poddisruptionbudgets.policy', 'configmaps', 'secrets']
      .flatMap((r) => { try { return this.api.store.list(r).items; } catch { return []; } });
    return { resourceVersion: this.resourceVersion(), objects };
  }

  objectCount(): number {
    return this.snapshot().objects.length;
  }

  /** the datastore as an etcd snapshot of the lab holds it (lab/store/dump.ts), and putting one back */
  dump(): DatastoreDump {
    return takeSnapshot(this.api.store, { epoch: 0, token: '' });
  }

  restore(d: DatastoreDump): void {
    restoreSnapshot(this.api.store, d);
  }

  /** pods a drain evicts: everything bound to the node except DaemonSet pods */
  drainable(name: string): KObject[] {
    return this.api.store.list('pods', { fieldSelector: `spec.nodeName=${name}` }).items
      .filter((p) => !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet'));
  }

  /**
   * Evicts every drainable pod, retrying a 429 (PDB) every retryMs until deadline (epoch ms). Returns the pods that
   * could not be evicted with the last error for each.
   */
  async drain(name: string, retryMs: number, deadline: number, onEvent?: (pod: KObject, err?: string) => void): Promise<{ pod: KObject; error: string }[]> {
    const failed: { pod: KObject; error: string }[] = [];
    await Promise.all(this.drainable(name).map(async (pod) => {
      for (;;) {
        try {
          evictPod(this.api, pod.metadata.namespace!, pod.metadata.name!, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace } }, new URLSearchParams());
          onEvent?.(pod);
          return;
        } catch (err) {
          const status = err instanceof StatusError ? err.body : undefined;
          if (status?.code === 404) return;
          const message = status?.message ?? String(err);
          if (status?.code !== 429 || Date.now() + retryMs > deadline) {
            onEvent?.(pod, message);
            failed.push({ pod, error: message });
            return;
          }
          await new Promise((r) => setTimeout(r, retryMs));
        }
      }
    }));
    return failed;
  }
}

export interface KubeNodeInfo { osImage?: string; kubeletVersion?: string; kubeProxyVersion?: string }
