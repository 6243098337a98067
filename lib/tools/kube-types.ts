// The few Kubernetes object fields rackhand reads (k8s.io/api core/v1, apps/v1, policy/v1 types.go).
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}
export interface Condition { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastTransitionTime?: string }
export interface KubeObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
}
export interface KubeList<T> { items: T[] }

export type Node = KubeObject<{ unschedulable?: boolean; taints?: { key: string; effect: string }[] }, {
  conditions?: Condition[];
  addresses?: { type: string; address: string }[];
  nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string; bootID?: string };
}>;
export type Pod = KubeObject<{ nodeName?: string }, {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  reason?: string;
  conditions?: Condition[];
  containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: Record<string, { reason?: string }> }[];
}>;
export type PodDisruptionBudget = KubeObject<{ minAvailable?: number | string; maxUnavailable?: number | string }, {
  currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number; expectedPods?: number;
}>;

export function condition(obj: { status?: { conditions?: Condition[] } }, type: string): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}
