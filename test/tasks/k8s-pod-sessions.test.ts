// k8s:logs, k8s:exec, k8s:browse-pvc and k8s:debug-node against the Flux lab, whose gatus app keeps its state on a
// ReadWriteOnce claim. kubectl is the real one (exec over the websocket protocol the lab's API server speaks): the
// tests check what the operator sees (the app's log lines, a file's content, exit codes), which pod the command ran
// in, and that no throwaway pod is left afterwards, also when the command fails or the pod cannot start.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const argvOf = (r: { record?: { commands: { argv: string[] }[] } }) => (r.record?.commands ?? []).map((c) => c.argv);

describe('pod sessions: k8s:logs, k8s:exec, k8s:browse-pvc, k8s:debug-node', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: FLUX }); await lab.settled(); });
  afterAll(async () => { await lab?.stop(); });
  const gatusPod = () => lab.store.list('pods', { namespace: 'observability' }).items.find((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'gatus')!;
  // throwaway pods not being deleted (on a NotReady node a deleted pod stays Terminating until its kubelet is back)
  const throwaways = () => lab.store.list('pods').items.filter((p) => p.metadata.labels?.['rackhand.dev/throwaway'] && !p.metadata.deletionTimestamp).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);

  it('k8s:logs finds the app\'s pod by its label in whatever namespace it runs and prints every line', async () => {
    const r = await lab.run(['k8s:logs', '--cluster', 'lab', '--app', 'gatus']);
    expect(r.code, r.stderr).toBe(0);
    const pod = gatusPod();
    expect(r.stdout).toContain(`lab: container app started from ghcr.io/twin/gatus:v5.17.0 on ${pod.spec.nodeName}`);
    const logs = argvOf(r).find((a) => a.includes('logs'))!;
    expect(logs).toEqual(expect.arrayContaining([pod.metadata.name, '--namespace', 'observability', '--tail=-1']));
    const since = await lab.run(['k8s:logs', '--cluster', 'lab', '--app', 'gatus', '--since', '10m', '--tail', '5']);
    expect(argvOf(since).find((a) => a.includes('logs'))).toEqual(expect.arrayContaining(['--since=600s', '--tail=5']));
  });

  it('k8s:logs --follow follows until --for has passed, then ends as asked (exit 0)', async () => {
    const started = Date.now();
    const r = await lab.run(['k8s:logs', '--cluster', 'lab', '--app', 'gatus', '--follow', '--for', '1s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('lab: container app started from ghcr.io/twin/gatus:v5.17.0');
    expect(argvOf(r).find((a) => a.includes('logs'))).toContain('--follow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('k8s:logs --previous of a container that never restarted fails with the API server\'s reason; an unknown app is named', async () => {
    const prev = await lab.run(['k8s:logs', '--cluster', 'lab', '--app', 'gatus', '--previous']);
    expect(prev.code).toBe(1);
    expect(prev.stderr).toContain('previous terminated container "app"');
    const none = await lab.run(['k8s:logs', '--cluster', 'lab', '--app', 'nosuchapp']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no pod of app nosuchapp in any namespace');
    const bad = await lab.run(['k8s:logs', '--cluster', 'lab', '--app', 'gatus', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: expected a duration like 30s, 10m or 1h30m (got "yesterday")');
    expect(argvOf(bad)).toEqual([]);
  });

  it('k8s:exec runs the command after -- in the app\'s running pod and passes its output and failure on', async () => {
    const r = await lab.run(['k8s:exec', '--cluster', 'lab', '--app', 'gatus', '--', 'cat', '/config/config.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('url: https://home.example.org');
    expect(r.record?.data.pod).toBe(`observability/${gatusPod().metadata.name}`);
    const failed = await lab.run(['k8s:exec', '--cluster', 'lab', '--app', 'gatus', '--', 'ls', '/config/missing']);
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toContain("ls: cannot access '/config/missing': No such file or directory");
    expect(failed.stderr).toContain('ls /config/missing exited 2');
    expect(failed.record?.data.exitCode).toBe(2);
    // no terminal and no command: refused before anything runs
    const noCmd = await lab.run(['k8s:exec', '--cluster', 'lab', '--app', 'gatus']);
    expect(noCmd.code).toBe(2);
    expect(noCmd.stderr).toContain('no command after -- and no terminal for a shell');
    const dry = await lab.run(['k8s:exec', '--cluster', 'lab', '--app', 'gatus', '--dry-run', '--', 'touch', '/config/x']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/\[dry-run\] kubectl .*exec gatus-\S+ --namespace observability --container app -- touch \/config\/x/);
  });

  it('k8s:browse-pvc mounts the claim read-only on the node where the app has it attached, runs the command, and removes the pod', async () => {
    const node = gatusPod().spec.nodeName;
    const r = await lab.run(['k8s:browse-pvc', '--cluster', 'lab', '--namespace', 'observability', '--claim', 'gatus-config', '--', 'cat', '/data/config.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('- name: home');
    expect(r.stderr).toContain(`on ${node} (where ${gatusPod().metadata.name} has it attached)`);
    expect(r.record?.data.claim).toMatchObject({ node, readOnly: true });
    await lab.settled();
    expect(throwaways()).toEqual([]);
    const created = lab.events.filter((e) => e.type === 'pod-exec' && e.object.startsWith('observability/rackhand-browse-'));
    expect(created.map((e) => e.detail)).toEqual(['browse: cat /data/config.yaml => 0']);
    // read-only: a write fails and the file is not created; the pod is removed after the failure too
    const ro = await lab.run(['k8s:browse-pvc', '--cluster', 'lab', '--namespace', 'observability', '--claim', 'gatus-config', '--', 'touch', '/data/new-file']);
    expect(ro.code).toBe(1);
    await expect(readFile(join(lab.dir, 'volumes', 'observability', 'gatus-config', 'new-file'))).rejects.toThrow();
    await lab.settled();
    expect(throwaways()).toEqual([]);
    // --app finds the claim the app's pods mount
    const byApp = await lab.run(['k8s:browse-pvc', '--cluster', 'lab', '--app', 'gatus', '--', 'ls', '/data']);
    expect(byApp.code, byApp.stderr).toBe(0);
    expect(byApp.stdout).toContain('config.yaml');
    expect(byApp.record?.data.claim).toMatchObject({ name: 'observability/gatus-config' });
    // --rw writes
    const rw = await lab.run(['k8s:browse-pvc', '--cluster', 'lab', '--namespace', 'observability', '--claim', 'gatus-config', '--rw', '--', 'touch', '/data/new-file']);
    expect(rw.code, rw.stderr).toBe(0);
    expect(await readFile(join(lab.dir, 'volumes', 'observability', 'gatus-config', 'new-file'), 'utf8')).toBe('');
  });

  it('a session pod that cannot start is removed at its start deadline or on Ctrl-C, and the failure says what it last saw', async () => {
    const missing = await lab.run(['k8s:browse-pvc', '--cluster', 'lab', '--namespace', 'observability', '--claim', 'nosuch-claim', '--', 'ls']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no PersistentVolumeClaim observability/nosuch-claim');
    expect(argvOf(missing).some((a) => a.includes('create'))).toBe(false);
    // a NotReady node starts nothing: the pod waits there until the deadline
    lab.faults.setNodeReady('cp1', false);
    try {
      const late = await lab.run(['k8s:debug-node', '--cluster', 'lab', '--node', 'cp1', '--start-timeout', '2s', '--', 'true']);
      expect(late.code).toBe(1);
      expect(late.stderr).toMatch(/gave up waiting for pod kube-system\/rackhand-debug-node-\S+ to run after 2(\.\d)?s \(last seen: Pending on cp1\)/);
      expect(throwaways()).toEqual([]);
      const interrupt = new AbortController();
      const pending = lab.run(['k8s:debug-node', '--cluster', 'lab', '--node', 'cp1', '--', 'true'], { interrupt });
      for (let i = 0; i < 100 && !throwaways().length; i++) await new Promise((ok) => setTimeout(ok, 50));
      expect(throwaways()).toHaveLength(1);
      interrupt.abort();
      const stopped = await pending;
      expect(stopped.code).toBe(130);
      expect(throwaways()).toEqual([]);
    } finally {
      lab.faults.setNodeReady('cp1', true);
    }
    await lab.settled();
    expect(lab.store.list('pods').items.filter((p) => p.metadata.labels?.['rackhand.dev/throwaway'])).toEqual([]);
  });

  it('k8s:debug-node accepts the node\'s address, runs a privileged pod there, and removes it', async () => {
    const r = await lab.run(['k8s:debug-node', '--cluster', 'lab', '--node', '10.7.0.21', '--', 'echo', 'hello from the node']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--node 10.7.0.21 is node w1');
    expect(r.stdout).toContain('hello from the node');
    const create = r.record?.commands.find((c) => c.argv.includes('create'));
    expect(create).toBeDefined();
    await lab.settled();
    expect(throwaways()).toEqual([]);
    const exec = lab.events.find((e) => e.type === 'pod-exec' && e.object.startsWith('kube-system/rackhand-debug-node-'));
    expect(exec?.detail).toBe('debugger: echo hello from the node => 0');
  });
});
