// The examples in examples/ are recipes home-ops Taskfiles carry, written as rackhand tasks on the public API
// (defineTask, ctx.$, waitUntil, ctx.runTask). Each runs against the lab from the operator's side: rackhand.yaml
// lists the folder, the CLI discovers the tasks.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from './helpers/lab.ts';
import { get } from './lab/volsync-helpers.ts';

const HR = 'helmreleases.helm.toolkit.fluxcd.io';

describe('examples/ against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab();
    await writeFile(lab.configPath, `tasks: [${join(process.cwd(), 'examples')}]\n${await readFile(lab.configPath, 'utf8')}`);
  });
  afterAll(async () => { await lab?.stop(); });

  it('the examples are listed with their folder', async () => {
    const r = await lab.run(['list']);
    expect(r.stdout).toMatch(/^ {2}flux:hr-restart +restart failed HelmReleases.*\(.*examples\)$/m);
    expect(r.stdout).toMatch(/^ {2}pvc:browse +mount a PVC/m);
    expect(r.stdout).toMatch(/^ {2}volsync:snapshot-all +back up every VolSync app/m);
  });

  it('flux:hr-restart restarts only the failing HelmRelease and waits until it is Ready; --dry-run changes nothing', async () => {
    lab.faults.helmReleaseStuck('apps/paperless');
    await new Promise((res) => setTimeout(res, 300));
    const dry = await lab.run(['flux:hr-restart', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.record!.steps.map((s) => s.title)).toEqual(['restart HelmRelease apps/paperless (UpgradeFailed)']);
    expect((get(lab, HR, 'apps', 'paperless') as any).status.conditions[0].status).toBe('False');
    const r = await lab.run(['flux:hr-restart', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const after = get(lab, HR, 'apps', 'paperless') as any;
    expect(after.spec.suspend).toBe(false);
    expect(after.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    const again = await lab.run(['flux:hr-restart', '--yes']);
    expect(again.code).toBe(0);
    expect(again.record!.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('pvc:browse mounts the PVC in a throwaway pod, prints the exec command, and the pod is gone afterwards', async () => {
    let seen = false;
    const stop = lab.store.listen((ev) => { if (ev.resource === 'pods' && ev.object.metadata.name === 'browse-paperless' && ev.object.status?.phase === 'Running') seen = true; });
    const r = await lab.run(['pvc:browse', '--namespace', 'apps', '--claim', 'paperless', '--yes']);
    stop();
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toBe(true);
    expect(r.stdout).toContain('-n apps exec -it browse-paperless -- sh');
    await new Promise((res) => setTimeout(res, 500));
    expect(get(lab, 'pods', 'apps', 'browse-paperless')).toBeUndefined();
    const bad = await lab.run(['pvc:browse', '--namespace', 'apps', '--claim', 'nope', '--yes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('persistentvolumeclaims "nope" not found');
  });

  it('volsync:snapshot-all backs up every app through volsync:snapshot, each with its own record', async () => {
    const r = await lab.run(['volsync:snapshot-all', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('apps/paperless\tsuccess');
    expect((r.record!.data.backups as { record: string }[]).every((b) => b.record.includes('volsync_snapshot'))).toBe(true);
  });
});
