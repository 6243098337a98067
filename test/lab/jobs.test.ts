// Kubernetes Jobs in the lab, through the real kubectl: a verification Job runs its containers on the host against the
// folder that stands for a restored PVC, kubectl wait sees it complete or fail, kubectl logs reads what it printed
// with the container's paths, and VolSync's own mover Jobs are left to the VolSync controller.
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand } from '../../lab/controllers/containers.js';
import { fromHost, toHost } from '../../lab/controllers/host-exec.js';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, kubectl, ok, openLab, until } from './kubectl.js';
import { apply } from './volsync-helpers.js';

const NS = 'drill';
let lab: Lab;

const FILES: Record<string, string> = {
  '.sentinel': 'rackhand sentinel 42\n',
  'docs/a.txt': 'hello\n',
  'docs/deep/b.bin': 'x'.repeat(1000),
  'with space.txt': '',
};

function job(name: string, spec: { containers: { name: string; command: string[] }[]; backoffLimit?: number; activeDeadlineSeconds?: number; claim?: string }) {
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: NS },
    spec: {
      ...(spec.backoffLimit !== undefined ? { backoffLimit: spec.backoffLimit } : {}),
      ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: spec.containers.map((c) => ({ ...c, image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] })),
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: spec.claim ?? 'restored', readOnly: true } }],
        },
      },
    },
  });
}

beforeAll(async () => {
  lab = await openLab({ podStartMs: 50 });
  await ok(lab, 'create', 'namespace', NS);
  await apply(lab, JSON.stringify({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'restored', namespace: NS },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  }));
  await until('PVC restored Bound', () => lab.store.find('persistentvolumeclaims', NS, 'restored')?.status?.phase === 'Bound');
  for (const [path, content] of Object.entries(FILES)) {
    const file = join(lab.volumePath(NS, 'restored'), path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
  }
}, 60_000);
afterAll(async () => closeLab(lab));

describe('Jobs run their containers against the PVC folders', () => {
  it('a verification Job completes; kubectl logs job/x -c reads each container with /data paths, never lab paths', async () => {
    await apply(lab, job('verify', {
      containers: [
        { name: 'files', command: ['find', '/data', '-type', 'f', '-exec', 'stat', '-c', '%s %n', '{}', '+'] },
        { name: 'sentinel', command: ['sha256sum', '/data/.sentinel'] },
      ],
    }));
    const wait = await kubectl(lab, 'wait', '--for=condition=complete', 'job/verify', '-n', NS, '--timeout=30s');
    expect(wait).toMatchObject({ exitCode: 0, stdout: 'job.batch/verify condition met' });

    const files = await ok(lab, 'logs', 'job/verify', '-n', NS, '-c', 'files');
    expect(files.split('\n').filter(Boolean).sort()).toEqual(Object.entries(FILES).map(([p, c]) => `${Buffer.byteLength(c)} /data/${p}`).sort());
    const sentinel = await ok(lab, 'logs', 'job/verify', '-n', NS, '-c', 'sentinel');
    expect(sentinel.trim()).toBe(`${createHash('sha256').update(FILES['.sentinel']!).digest('hex')}  /data/.sentinel`);
    const all = await ok(lab, 'logs', '-n', NS, '-l', 'job-name=verify', '--all-containers=true');
    expect(all).toContain('/data/.sentinel');
    expect(files + sentinel + all).not.toContain(lab.dir);
  });

  it('kubectl get job -o json shows the generated selector and labels and the status of a completed Job', async () => {
    const j = await json(lab, 'get', 'job', 'verify', '-n', NS);
    const uid = j.metadata.uid;
    expect(j.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1, completionMode: 'NonIndexed', suspend: false, manualSelector: false });
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(j.spec.template.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'verify', 'controller-uid': uid, 'job-name': 'verify',
    });
    expect(j.status).toMatchObject({ succeeded: 1, ready: 0, startTime: expect.any(String), completionTime: expect.any(String) });
    expect(j.status.active).toBeUndefined();
    // 1.31 (the default topology's version): SuccessCriteriaMet first, then Complete
    expect(j.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached'],
    ]);
    const pods = await json(lab, 'get', 'pods', '-n', NS, '-l', 'job-name=verify');
    expect(pods.items).toHaveLength(1);
    const pod = pods.items[0];
    expect(pod.metadata.name).toMatch(/^verify-[a-z0-9]{5}$/);
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'batch/v1', kind: 'Job', name: 'verify', uid, controller: true })]);
    expect(pod.status.phase).toBe('Succeeded');
    expect(pod.status.containerStatuses.map((s: any) => [s.name, s.state.terminated.exitCode, s.state.terminated.reason])).toEqual([
      ['files', 0, 'Completed'], ['sentinel', 0, 'Completed'],
    ]);
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'job-complete', object: `${NS}/verify` }));
    // a finished Job's pod does not hold lab.settled() up
    await lab.settled(2000);
  });

  it('the pods/log subresource wants a container name when the pod has several', async () => {
    const pod = lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=verify' }).items[0]!;
    const res = await fetch(`${lab.url}/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/log`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [files sentinel]`);
    const text = await fetch(`${lab.url}/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/log?container=sentinel&follow=true&tailLines=1`);
    expect(text.headers.get('content-type')).toBe('text/plain');
    expect(await text.text()).toMatch(/^[0-9a-f]{64} {2}\/data\/\.sentinel\n$/);
  });

  it('a failing container (backoffLimit 0) fails the Job with BackoffLimitExceeded; kubectl wait --for=condition=failed sees it', async () => {
    await apply(lab, job('broken', { backoffLimit: 0, containers: [{ name: 'sentinel', command: ['sha256sum', '/data/missing'] }] }));
    const wait = await kubectl(lab, 'wait', '--for=condition=failed', 'job/broken', '-n', NS, '--timeout=30s');
    expect(wait).toMatchObject({ exitCode: 0, stdout: 'job.batch/broken condition met' });
    const j = await json(lab, 'get', 'job', 'broken', '-n', NS);
    expect(j.status).toMatchObject({ failed: 1 });
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(j.status.conditions.find((c: any) => c.type === 'FailureTarget')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    const log = await ok(lab, 'logs', 'job/broken', '-n', NS);
    expect(log).toBe('sha256sum: /data/missing: No such file or directory');
    const pod = lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=broken' }).items[0]!;
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const complete = await kubectl(lab, 'wait', '--for=condition=complete', 'job/broken', '-n', NS, '--timeout=1s');
    expect(complete.exitCode).toBe(1);
  });

  it('backoffLimit 1: a new pod after the failed one, then Failed with two failed pods', async () => {
    await apply(lab, job('retry', { backoffLimit: 1, containers: [{ name: 'check', command: ['false'] }] }));
    await ok(lab, 'wait', '--for=condition=failed', 'job/retry', '-n', NS, '--timeout=30s');
    const pods = lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=retry' }).items;
    expect(pods.map((p) => p.status.phase)).toEqual(['Failed', 'Failed']);
    expect((await json(lab, 'get', 'job', 'retry', '-n', NS)).status).toMatchObject({ failed: 2 });
  });

  it('a program the lab does not run exits 127 with the runtime\'s not-found line', async () => {
    await apply(lab, job('shell', { backoffLimit: 0, containers: [{ name: 'sh', command: ['sh', '-c', 'ls /data'] }] }));
    await ok(lab, 'wait', '--for=condition=failed', 'job/shell', '-n', NS, '--timeout=30s');
    const pod = lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=shell' }).items[0]!;
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 127, reason: 'Error', message: expect.stringContaining('exec: "sh": executable file not found in $PATH') });
    expect(await ok(lab, 'logs', 'job/shell', '-n', NS)).toBe('exec: "sh": executable file not found in $PATH');
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'job-exec-refused', object: `${NS}/${pod.metadata.name}`, detail: 'sh: sh' }));
  });

  it('a missing PVC keeps the pod Pending (ContainerCreating, FailedMount) until the claim exists, then it runs', async () => {
    await apply(lab, job('late', { claim: 'late', containers: [{ name: 'files', command: ['ls', '/data'] }] }));
    const podOf = () => lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=late' }).items[0];
    await until('late pod ContainerCreating', () => podOf()?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating');
    const pod = podOf()!;
    expect(pod.status.phase).toBe('Pending');
    const logs = await kubectl(lab, 'logs', `pod/${pod.metadata.name}`, '-n', NS);
    expect(logs).toMatchObject({ exitCode: 1, stderr: `Error from server (BadRequest): container "files" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating` });
    const events = await json(lab, 'get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${pod.metadata.name}`);
    expect(events.items[0]).toMatchObject({ reason: 'FailedMount', type: 'Warning', message: expect.stringContaining('persistentvolumeclaims "late" not found') });
    await apply(lab, JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'late', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }));
    await ok(lab, 'wait', '--for=condition=complete', 'job/late', '-n', NS, '--timeout=30s');
    expect(podOf()!.metadata.uid).toBe(pod.metadata.uid);
  });

  it('activeDeadlineSeconds fails the Job with DeadlineExceeded and deletes its pod', async () => {
    await apply(lab, job('deadline', { activeDeadlineSeconds: 1, claim: 'never', containers: [{ name: 'files', command: ['ls', '/data'] }] }));
    await ok(lab, 'wait', '--for=condition=failed', 'job/deadline', '-n', NS, '--timeout=30s');
    const j = await json(lab, 'get', 'job', 'deadline', '-n', NS);
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(j.status.active).toBeUndefined();
    await until('deadline pod deleted', () => !lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=deadline' }).items.length);
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'job-failed', object: `${NS}/deadline`, detail: 'DeadlineExceeded' }));
  });

  it('a container still running at the deadline is killed with its deleted pod', async () => {
    const fifo = join(lab.volumePath(NS, 'restored'), 'blocking.fifo');
    await execa('mkfifo', [fifo]);
    try {
      // the pod may run for only the 1 s deadline: a store listener sees it Running however briefly (polling may not)
      let ran = false;
      const stop = lab.store.listen((ev) => { if (ev.resource === 'pods' && ev.object.metadata.labels?.['job-name'] === 'stuck' && ev.object.status?.phase === 'Running') ran = true; });
      await apply(lab, job('stuck', { activeDeadlineSeconds: 1, containers: [{ name: 'reader', command: ['cat', '/data/blocking.fifo'] }] }));
      await until('stuck pod Running', () => ran);
      stop();
      await ok(lab, 'wait', '--for=condition=failed', 'job/stuck', '-n', NS, '--timeout=30s');
      // no reader left on the FIFO: opening it for writing without blocking fails with ENXIO
      await until('cat killed', () => {
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
          return false;
        } catch (e) {
          return (e as NodeJS.ErrnoException).code === 'ENXIO';
        }
      });
    } finally {
      await rm(fifo, { force: true });
    }
  });

  it('paths outside the mounts are an empty root filesystem, not the host', async () => {
    await apply(lab, job('rootfs', { backoffLimit: 0, containers: [{ name: 'etc', command: ['cat', '/etc/hostname'] }] }));
    await ok(lab, 'wait', '--for=condition=failed', 'job/rootfs', '-n', NS, '--timeout=30s');
    expect(await ok(lab, 'logs', 'job/rootfs', '-n', NS)).toBe('cat: /etc/hostname: No such file or directory');
  });

  it('kubectl delete job removes its pods (garbage collector)', async () => {
    await ok(lab, 'delete', 'job', 'verify', '-n', NS);
    await until('verify pods gone', () => !lab.store.list('pods', { namespace: NS, labelSelector: 'job-name=verify' }).items.length);
  });
});

describe('VolSync mover Jobs', () => {
  it('get no pods from the Job controller (the VolSync controller plays them)', async () => {
    await ok(lab, 'patch', 'replicationsource', 'paperless', '-n', 'apps', '--type', 'merge', '-p', JSON.stringify({ spec: { trigger: { manual: 'jobs-test' } } }));
    await until('backup done', () => lab.store.find('replicationsources.volsync.backube', 'apps', 'paperless')?.status?.lastManualSync === 'jobs-test', 30_000);
    const moverPods = lab.store.list('pods', { namespace: 'apps' }).items.filter((p) => p.metadata.name!.startsWith('volsync-'));
    expect(moverPods).toEqual([]);
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'volsync-backup-done', object: 'apps/paperless' }));
  });
});

describe('container paths and argv', () => {
  const mounts = [{ mountPath: '/data', hostPath: '/lab/volumes/drill/restored' }, { mountPath: '/data/cache', hostPath: '/lab/emptydirs/u/cache' }];
  it.each([
    ['/data', '/lab/volumes/drill/restored'],
    ['/data/docs/a.txt', '/lab/volumes/drill/restored/docs/a.txt'],
    ['/data/cache/x', '/lab/emptydirs/u/cache/x'],
    ['/database/x', '/lab/rootfs/database/x'],
    ['/data/../etc/passwd', '/lab/rootfs/etc/passwd'],
    ['/dev/null', '/dev/null'],
    ['-type', '-type'],
    ['relative/path', 'relative/path'],
  ])('toHost(%s) => %s', (path, host) => {
    expect(toHost(path, mounts, '/lab/rootfs')).toBe(host);
  });

  it('fromHost writes the container paths back, the longest folder first', () => {
    expect(fromHost('1 /lab/volumes/drill/restored/a\n2 /lab/emptydirs/u/cache/b\n/lab/rootfs/etc: x\n/lab/rootfs\n', mounts, '/lab/rootfs'))
      .toBe('1 /data/a\n2 /data/cache/b\n/etc: x\n/\n');
  });

  it('expands $(VAR) from the container env as the kubelet does; $$ escapes, unknown names stay', () => {
    expect(expand(['$(DIR)/x', '$$(DIR)', '$(NOPE)', 'a$(DIR)b'], { DIR: '/data' })).toEqual(['/data/x', '$(DIR)', '$(NOPE)', 'a/datab']);
  });
});

describe('Job containers honour runAsUser, groups and read-only mounts', () => {
  // paperless's volume is owned by the app's user 1000:1000, mode 0750 (lab/volsync/app.ts APP_VOLUME_OWNER)
  const userJob = (name: string, sc: Record<string, unknown>, command: string[], readOnly = true) => JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'apps' },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never', securityContext: sc,
          containers: [{ name: 'c', image: 'busybox:1.36', command, securityContext: { readOnlyRootFilesystem: true }, volumeMounts: [{ name: 'data', mountPath: '/data', readOnly }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'paperless' } }],
        },
      },
    },
  });
  const outcome = async (name: string) => {
    await until(`job ${name} finished`, () => Boolean((lab.store.find('jobs.batch', 'apps', name)?.status?.conditions ?? []).some((c: { type: string; status: string }) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')), 30_000);
    const done = (lab.store.find('jobs.batch', 'apps', name)!.status.conditions as { type: string; status: string }[]).some((c) => c.type === 'Complete' && c.status === 'True');
    return { done, log: await ok(lab, 'logs', `job/${name}`, '-n', 'apps') };
  };

  it.each([
    ['as-owner', { runAsUser: 1000, runAsGroup: 1000 }, true, ''],
    ['by-fsgroup', { runAsUser: 2000, runAsGroup: 2000, fsGroup: 1000 }, true, ''],
    ['stranger', { runAsUser: 2000, runAsGroup: 2000 }, false, "find: '/data': Permission denied"],
    ['root', {}, true, ''],
  ])('%s %j reading the volume: completes %s', async (name, sc, completes, message) => {
    await apply(lab, userJob(`read-${name}`, sc, ['find', '/data', '-type', 'f']));
    const r = await outcome(`read-${name}`);
    expect(r.done).toBe(completes);
    if (message) expect(r.log).toContain(message); else expect(r.log).toContain('/data/');
  });

  it('a write to a read-only mount or root filesystem fails as the kernel says; a writable mount takes it', async () => {
    await apply(lab, userJob('write-ro', { runAsUser: 1000, runAsGroup: 1000 }, ['touch', '/data/x']));
    expect(await outcome('write-ro')).toEqual({ done: false, log: "touch: cannot touch '/data/x': Read-only file system" }); // ok() trims the newline
    await apply(lab, userJob('write-rootfs', { runAsUser: 1000, runAsGroup: 1000 }, ['touch', '/tmp/x'], false));
    expect((await outcome('write-rootfs')).log).toContain('Read-only file system');
    await apply(lab, userJob('write-rw', { runAsUser: 1000, runAsGroup: 1000 }, ['touch', '/data/written-by-job'], false));
    expect((await outcome('write-rw')).done).toBe(true);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(lab.volumePath('apps', 'paperless'), 'written-by-job'))).toBe(true);
  });
});
