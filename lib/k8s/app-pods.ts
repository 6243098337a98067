// Finding an app's pods the way operators name apps: by the labels Helm charts and app-template put on them
// (app.kubernetes.io/name, then app.kubernetes.io/instance: kubernetes.io/docs/concepts/overview/working-with-objects/
// common-labels; then the older `app`), in --namespace or, when none is given, wherever exactly one namespace has it.
import { StepFailure } from '../engine/types.ts';
import type { Kubectl } from '../tools/kubectl.ts';
import type { KubeObject } from '../tools/kube-types.ts';

export type AppPod = KubeObject<{ nodeName?: string; containers?: { name: string }[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] }, {
  phase?: string;
  conditions?: { type: string; status: string }[];
  containerStatuses?: { name: string; ready: boolean; restartCount: number }[];
}>;

export const APP_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app'] as const;

export interface AppPods { namespace: string; selector: string; pods: AppPod[] }

const ready = (p: AppPod) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The app's pods, best first: Running and Ready, then Running, then the rest; newest first within each. */
export async function findAppPods(kubectl: Kubectl, app: string, namespace: string | undefined): Promise<AppPods> {
  for (const label of APP_LABELS) {
    const selector = `${label}=${app}`;
    const pods = (await kubectl.list<AppPod>('pods', namespace ? { namespace, labels: selector } : { allNamespaces: true, labels: selector }))
      .filter((p) => !p.metadata.deletionTimestamp);
    if (!pods.length) continue;
    const namespaces = [...new Set(pods.map((p) => p.metadata.namespace!))].sort();
    if (namespaces.length > 1) throw new StepFailure(`pods labelled ${selector} run in ${namespaces.length} namespaces (${namespaces.join(', ')})`, `name one with --namespace ${namespaces[0]}`);
    const rank = (p: AppPod) => (p.status?.phase === 'Running' ? (ready(p) ? 0 : 1) : 2);
    pods.sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    return { namespace: namespaces[0]!, selector, pods };
  }
  const where = namespace ? `in namespace ${namespace}` : 'in any namespace';
  throw new StepFailure(`no pod of app ${app} ${where} (looked for the labels ${APP_LABELS.map((l) => `${l}=${app}`).join(', ')})`, `kubectl get pods ${namespace ? `-n ${namespace}` : '-A'} --show-labels`);
}

/** The one pod to exec into: --pod when given (it must exist), else the app's best pod, which must be Running. */
export async function pickPod(kubectl: Kubectl, o: { app?: string; pod?: string; namespace?: string }): Promise<{ namespace: string; pod: AppPod; others: number }> {
  if (o.pod) {
    if (!o.namespace) throw new StepFailure('--pod needs --namespace');
    const pod = await kubectl.get<AppPod>('pods', o.pod, o.namespace);
    if (!pod) throw new StepFailure(`no pod ${o.namespace}/${o.pod}`, `kubectl get pods -n ${o.namespace}`);
    return { namespace: o.namespace, pod, others: 0 };
  }
  const found = await findAppPods(kubectl, o.app!, o.namespace);
  const pod = found.pods[0]!;
  if (pod.status?.phase !== 'Running') {
    throw new StepFailure(`no running pod of app ${o.app} in ${found.namespace}: ${found.pods.map((p) => `${p.metadata.name} (${p.status?.phase ?? 'unknown'})`).join(', ')}`, `kubectl describe pods -n ${found.namespace} -l ${found.selector}`);
  }
  return { namespace: found.namespace, pod, others: found.pods.length - 1 };
}
