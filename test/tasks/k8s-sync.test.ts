// k8s:sync on the Flux lab: --kind hr/ks reconcile through flux:reconcile, --kind es force-syncs through
// k8s:sync-secrets; the lab's controllers show which objects were reconciled or synced, and bad input is refused.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

describe('k8s:sync', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    lab.vault.set('op://homelab/gatus/db-password', 'labpw_gatus_51c0');
  });
  afterAll(async () => { await lab?.stop(); });
  const since = (from: number, type: string) => lab.events.slice(from).filter((e) => e.type === type).map((e) => e.object);

  it('--kind hr --name reconciles that HelmRelease and waits; --kind es --all force-syncs every ExternalSecret', async () => {
    let from = lab.events.length;
    const hr = await lab.run(['k8s:sync', '--cluster', 'lab', '--kind', 'hr', '--name', 'observability/gatus', '--yes']);
    expect(hr.code, hr.stderr).toBe(0);
    expect(since(from, 'flux-reconciled')).toContain('helmrelease/observability/gatus');
    expect(hr.record!.data.record).toMatch(/flux_reconcile/);
    from = lab.events.length;
    const es = await lab.run(['k8s:sync', '--cluster', 'lab', '--kind', 'es', '--all', '--yes']);
    expect(es.code, es.stderr).toBe(0);
    expect(since(from, 'eso-synced')).toContain('observability/gatus');
  });

  it('refuses a missing or doubled selector, and --kind es with --name', async () => {
    for (const argv of [['--kind', 'hr'], ['--kind', 'ks', '--all', '--app', 'x'], ['--kind', 'es', '--name', 'x'], ['--kind', 'job', '--all']]) {
      const r = await lab.run(['k8s:sync', '--cluster', 'lab', ...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.record?.commands ?? []).toEqual([]);
    }
  });
});
