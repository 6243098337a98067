// health:cluster's own time: the real CLI process (`health:cluster --json`) against the default lab with cert-manager,
// Ingress TLS endpoints and CloudNativePG objects added; its run record's duration minus the time some kubectl command
// was running (the union of the journal's intervals: the checks run their kubectl calls side by side). Goal: < 2000 ms.
import { join } from 'node:path';
import { startLab } from '../../lab/lab.ts';
import { CRDS, crdManifest } from '../../lab/helmfile/crds.ts';
import { Executor, type JournalEntry } from '../../lib/exec.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const lab = await startLab({});
try {
  for (const d of [...CRDS['cert-manager']!, ...CRDS['cloudnative-pg']!]) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
  await lab.settled();
  for (let i = 0; i < 20; i++) {
    lab.store.create('certificates.cert-manager.io', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: `c${i}`, namespace: 'default' }, spec: { secretName: `c${i}-tls` }, status: { notAfter: new Date(Date.now() + 60 * 86_400_000).toISOString(), conditions: [{ type: 'Ready', status: 'True' }] } });
  }
  for (let i = 0; i < 5; i++) {
    const ep = await lab.tls.endpoint({ hosts: [`app${i}.lab.example`], days: 90 });
    lab.store.create('ingresses.networking.k8s.io', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `app${i}`, namespace: 'default' }, spec: { tls: [{ hosts: [`app${i}.lab.example`] }], rules: [{ host: `app${i}.lab.example` }] }, status: { loadBalancer: { ingress: [{ ip: '127.0.0.1', ports: [{ port: ep.port }] }] } } });
  }
  const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
  const exec = new Executor({ env });
  const own: number[] = [];
  const kubectl: number[] = [];
  const total: number[] = [];
  for (let i = 0; i <= ROUNDS; i++) {
    const r = await exec.run([process.execPath, '--import', 'tsx', 'tasks/index.ts', 'health:cluster', '--cluster', 'lab', '--json'], { mutating: false, timeoutMs: 120_000 });
    const record = JSON.parse(r.stdout) as { durationMs: number; commands: JournalEntry[]; exitCode: number };
    if (i === 0) continue; // warm-up: tsx's transform cache, kubectl's discovery cache
    // the union of the intervals in which some kubectl ran
    const spans = record.commands.filter((c) => c.argv[0] === 'kubectl' && c.startMs !== undefined).map((c) => [c.startMs!, c.startMs! + c.durationMs] as const).sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let end = -1;
    for (const [s, e] of spans) { if (s > end) { busy += e - s; end = e; } else if (e > end) { busy += e - end; end = e; } }
    total.push(record.durationMs);
    kubectl.push(busy);
    own.push(record.durationMs - busy);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`health: health:cluster run ${median(total)} ms, kubectl busy ${median(kubectl)} ms, own time ${median(own)} ms (median of ${ROUNDS}; goal < 2000 ms)`);
} finally {
  await lab.stop();
}
