// The Job that checks a drill's restored volume from inside the cluster, where an app would read it: one container
// lists every file with its size (`find -exec stat -c '%s %n' {} +`, the same in GNU findutils and BusyBox), one
// hashes the sentinel. Plain argv, no shell; read-only mount, non-root, read-only root filesystem, as the app's
// own mover security context when the ReplicationSource has one (the files belong to that user).
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { waitJobEnd } from '../k8s/job-end.ts';
import { RESTRICTED_CONTAINER, RESTRICTED_POD } from '../k8s/restricted.ts';

export const MOUNT = '/data';
/** Pinned: a drill must not change behaviour because a tag moved (docker.io/library/busybox). */
export const DEFAULT_VERIFY_IMAGE = 'docker.io/library/busybox:1.37.0';

export interface VerifyJobSpec {
  name: string;
  namespace: string;
  pvc: string;
  image: string;
  sentinel?: string;
  securityContext?: Record<string, unknown>;
  deadlineSeconds: number;
}

export interface VolumeContent { files: number; bytes: number; sentinelSha256?: string }


export function renderVerifyJob(s: VerifyJobSpec): KubeObject {
  const container = (name: string, command: string[]) => ({
    name, image: s.image, command, securityContext: RESTRICTED_CONTAINER,
    volumeMounts: [{ name: 'data', mountPath: MOUNT, readOnly: true }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '128Mi' } },
  });
  const containers = [container('files', ['find', MOUNT, '-type', 'f', '-exec', 'stat', '-c', '%s %n', '{}', '+'])];
  if (s.sentinel) containers.push(container('sentinel', ['sha256sum', `${MOUNT}/${s.sentinel}`]));
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: s.name, namespace: s.namespace, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
    spec: {
      backoffLimit: 0, activeDeadlineSeconds: s.deadlineSeconds,
      template: {
        metadata: { labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
        spec: {
          restartPolicy: 'Never',
          securityContext: { ...RESTRICTED_POD, ...s.securityContext },
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: s.pvc, readOnly: true } }],
          containers,
        },
      },
    },
  } as KubeObject;
}


/** Runs the Job and reads what it saw; throws StepFailure when it fails or does not finish in time. */
export async function runVerifyJob(ctx: TaskContext, s: VerifyJobSpec, timeoutMs: number): Promise<VolumeContent> {
  const k = ctx.kubectl;

  await k.apply(renderVerifyJob(s));
  const logs = (c: string) => k.read(['logs', `job/${s.name}`, '--namespace', s.namespace, '--container', c]);
  const end = await waitJobEnd(ctx, { namespace: s.namespace, name: s.name, what: 'verification Job', timeoutMs, labelled: true });
  if (end.type === 'Failed') {
    const seen = await Promise.all(['files', ...(s.sentinel ? ['sentinel'] : [])].map((c) => logs(c).then((l) => `${c}: ${l.trim().split('\n').slice(-2).join(' | ')}`, () => '')));
    throw new StepFailure(`verification Job ${s.namespace}/${s.name} failed (${end.reason ?? 'Failed'}): ${seen.filter(Boolean).join('; ') || end.message || 'no logs'}`,
      `kubectl logs -n ${s.namespace} job/${s.name} --all-containers`);
  }
  const content = parseFileList(await logs('files'));
  if (s.sentinel) content.sentinelSha256 = parseSha256(await logs('sentinel'));
  return content;
}

/** `<size> /data/<path>` per line. */
export function parseFileList(text: string): VolumeContent {
  let files = 0;
  let bytes = 0;
  for (const line of text.split('\n')) {
    const m = /^(\d+) \/data\/./.exec(line);
    if (!m) continue;
    files += 1;
    bytes += Number(m[1]);
  }
  return { files, bytes };
}

/** sha256sum: `<64 hex>  <path>` (GNU coreutils and BusyBox print the same). */
export function parseSha256(text: string): string | undefined {
  return /^([0-9a-f]{64})\s/m.exec(text)?.[1];
}
