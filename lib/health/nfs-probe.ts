// health:cluster's NFS probe: for each StorageClass whose provisioner is NFS (csi-driver-nfs nfs.csi.k8s.io,
// nfs-subdir-external-provisioner, or any provisioner naming nfs), a small claim and a Job that writes a file, reads it
// back and deletes it, in order (init containers: touch, stat; container: rm), as an unprivileged user (65534), the way
// an app that does not run as root meets the export. Probe objects carry one label and are deleted afterwards (the
// step declares that cleanup before it creates anything); activeDeadlineSeconds ends a Job left by a killed run.
import { randomBytes } from 'node:crypto';
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { waitJobEnd } from '../k8s/job-end.ts';
import { RESTRICTED_CONTAINER, RESTRICTED_POD, SMALL } from '../k8s/restricted.ts';
import { fail, ok, type Finding } from './findings.ts';

export const PROBE_LABEL = 'rackhand.dev/probe';
const NFS = /nfs/i;
const FILE = '/probe/.rackhand-nfs-probe';

type StorageClass = KubeObject & { provisioner: string };

export async function nfsClasses(ctx: TaskContext): Promise<StorageClass[]> {
  return (await ctx.kubectl.list<StorageClass>('storageclasses.storage.k8s.io')).filter((c) => NFS.test(c.provisioner));
}

export function probeRunId(): string { return randomBytes(3).toString('hex'); }

/** deletes every probe object of this run (idempotent: the step's cleanup and its normal end) */
export async function deleteProbes(ctx: TaskContext, namespace: string, run: string): Promise<void> {
  await ctx.kubectl.mutate(['delete', 'jobs.batch,persistentvolumeclaims', '--namespace', namespace, '--selector', `${PROBE_LABEL}=${run}`, '--ignore-not-found', '--cascade=foreground', '--wait=false']);
}

export async function nfsFindings(ctx: TaskContext, o: { namespace: string; image: string; run: string; timeoutMs: number }): Promise<Finding[]> {
  const classes = await nfsClasses(ctx);
  if (!classes.length) return [ok('storage', 'NFS', 'no NFS-backed StorageClass to probe')];
  const out = await Promise.all(classes.map((c, i) => probe(ctx, c, { ...o, name: `rackhand-nfs-probe-${o.run}-${i}` })));
  await deleteProbes(ctx, o.namespace, o.run).catch(() => undefined);
  return out;
}

async function probe(ctx: TaskContext, c: StorageClass, o: { namespace: string; image: string; run: string; timeoutMs: number; name: string }): Promise<Finding> {
  const k = ctx.kubectl;
  const labels = { 'app.kubernetes.io/managed-by': 'rackhand', [PROBE_LABEL]: o.run };
  const object = `StorageClass ${c.metadata.name} (${c.provisioner})`;
  const container = (name: string, command: string[]) => ({ name, image: o.image, command, securityContext: RESTRICTED_CONTAINER, volumeMounts: [{ name: 'probe', mountPath: '/probe' }], resources: SMALL });
  await k.apply([
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: o.name, namespace: o.namespace, labels }, spec: { accessModes: ['ReadWriteMany'], storageClassName: c.metadata.name, resources: { requests: { storage: '1Mi' } } } },
    {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: o.name, namespace: o.namespace, labels },
      spec: {
        backoffLimit: 0, activeDeadlineSeconds: Math.ceil(o.timeoutMs / 1000) + 60,
        template: { metadata: { labels }, spec: {
          restartPolicy: 'Never', securityContext: RESTRICTED_POD,
          volumes: [{ name: 'probe', persistentVolumeClaim: { claimName: o.name } }],
          initContainers: [container('write', ['touch', FILE]), container('read', ['stat', '-c', '%s %U', FILE])],
          containers: [container('delete', ['rm', FILE])],
        } },
      },
    },
  ]);
  const started = performance.now();
  try {
    const end = (await waitJobEnd(ctx, {
      namespace: o.namespace, name: o.name, what: 'NFS probe Job', timeoutMs: o.timeoutMs, intervalMs: 300,
      extra: async () => `claim ${(await k.get<KubeObject & { status?: { phase?: string } }>('pvc', o.name, o.namespace))?.status?.phase ?? 'not created'}`,
    })).type;
    if (end === 'Complete') return ok('storage', object, `write, read and delete as uid 65534 in ${Math.round(performance.now() - started)} ms`);
    for (const step of ['write', 'read', 'delete']) {
      const log = (await k.read(['logs', `job/${o.name}`, '--namespace', o.namespace, '--container', step]).catch(() => '')).trim();
      if (log && !/^\d+ /.test(log)) return fail('storage', object, `the probe could not ${step} a file on a new claim: ${log.split('\n').pop()}`);
    }
    return fail('storage', object, 'the probe Job failed');
  } catch (err) {
    return fail('storage', object, (err as Error).message);
  }
}
