// Data that lives on one node and dies with it: PersistentVolumes pinned to the node (local-path and local volumes
// carry spec.nodeAffinity on kubernetes.io/hostname: rancher/local-path-provisioner provisioner.go; k8s.io/api
// core/v1 VolumeNodeAffinity) and the claims bound to them, and hostPath volumes of the node's pods (DaemonSet pods
// excepted: they exist per node anyway). emptyDir contents are named too, as what a drain throws away.
import type { KubeObject, Pod } from '../tools/kube-types.ts';
import type { Kubectl } from '../tools/kubectl.ts';

type Term = { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
type PV = KubeObject<{ nodeAffinity?: { required?: { nodeSelectorTerms?: Term[] } }; hostPath?: { path: string }; local?: { path: string }; claimRef?: { namespace?: string; name?: string }; storageClassName?: string }>;
type PodWithVolumes = Pod & { spec?: { nodeName?: string; volumes?: { name: string; hostPath?: { path: string }; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }[] } };

export interface LocalData {
  /** volumes whose data is on the node: "apps/media-cache (PV pvc-1, local-path)" */
  volumes: string[];
  /** pods of the node with a hostPath volume: "apps/app-0 (hostPath /srv/app)" */
  hostPaths: string[];
  /** pods of the node with an emptyDir (its contents go with the drain) */
  emptyDirs: string[];
}

const HOSTNAME = 'kubernetes.io/hostname';

function pinnedTo(pv: PV, node: string): boolean {
  return (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).some((t) => (t.matchExpressions ?? [])
    .some((e) => e.key === HOSTNAME && e.operator === 'In' && (e.values ?? []).includes(node)));
}

export async function localData(k: Kubectl, node: string): Promise<LocalData> {
  const [pvs, pods] = await Promise.all([
    k.list<PV>('persistentvolumes').catch(() => [] as PV[]),
    k.list<PodWithVolumes>('pods', { allNamespaces: true, fields: `spec.nodeName=${node}` }),
  ]);
  const volumes = pvs.filter((pv) => pinnedTo(pv, node)).map((pv) => {
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}` : '(no claim)';
    return `${claim} (PV ${pv.metadata.name}${pv.spec?.storageClassName ? `, ${pv.spec.storageClassName}` : ''})`;
  });
  const own = pods.filter((p) => !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet'));
  const hostPaths = own.flatMap((p) => (p.spec?.volumes ?? []).filter((v) => v.hostPath).map((v) => `${p.metadata.namespace}/${p.metadata.name} (hostPath ${v.hostPath!.path})`));
  const emptyDirs = own.filter((p) => (p.spec?.volumes ?? []).some((v) => v.emptyDir)).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  return { volumes, hostPaths, emptyDirs };
}
