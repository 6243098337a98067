// op:push and op:pull against the lab's 1Password (Documents through the fake op): the kubeconfig and talosconfig
// go in and come back byte for byte (quotes, comments and a missing final newline included), are written 0600 with the
// replaced file kept, a re-run changes nothing, the file's bytes never show in a dry run or the run record, and a
// Document holding another cluster's kubeconfig is refused with the old file put back.
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

describe('op:push and op:pull', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let kubeconfig: string;
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    // quotes of every kind, a comment and no final newline: what `op item edit x="$(cat ...)"` mangles
    kubeconfig = `${(await readFile(lab.kubeconfigPath, 'utf8')).trimEnd()}\n# it's "quoted" \\ and 'single': {colors: "true"}`;
    await writeFile(lab.kubeconfigPath, kubeconfig, { mode: 0o600 });
  });
  afterAll(async () => { await lab?.stop(); });
  const docs = () => lab.events.filter((e) => e.type.startsWith('op-document-') && e.type !== 'op-document-get').map((e) => `${e.type} ${e.object}`);

  it('push creates both Documents with the exact bytes; a dry run shows file names only; a re-run writes nothing', async () => {
    const dry = await lab.run(['op:push', '--cluster', 'lab', '--vault', 'homelab', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`(the bytes of ${lab.kubeconfigPath})`);
    expect(dry.stderr).not.toContain('"quoted"');
    expect(docs()).toEqual([]);
    const r = await lab.run(['op:push', '--cluster', 'lab', '--vault', 'homelab', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(docs()).toEqual(['op-document-create homelab/lab-kubeconfig', 'op-document-create homelab/lab-talosconfig']);
    expect(lab.vault.document('homelab', 'lab-kubeconfig')).toBe(kubeconfig);
    expect(lab.vault.document('homelab', 'lab-talosconfig')).toBe(await readFile(lab.talosconfigPath, 'utf8'));
    expect(JSON.stringify(r.record)).not.toContain('"quoted"');
    const again = await lab.run(['op:push', '--cluster', 'lab', '--vault', 'homelab', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
    expect(docs()).toHaveLength(2);
  });

  it('pull writes a missing kubeconfig back byte for byte, mode 0600, and checks it reaches the configured cluster', async () => {
    await rm(lab.kubeconfigPath);
    const r = await lab.run(['op:pull', '--cluster', 'lab', '--vault', 'homelab', '--what', 'kubeconfig', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(lab.kubeconfigPath, 'utf8')).toBe(kubeconfig);
    expect((await stat(lab.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const again = await lab.run(['op:pull', '--cluster', 'lab', '--vault', 'homelab', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
  });

  it('a Document holding a kubeconfig for another API server is refused and the previous file put back', async () => {
    lab.vault.document('homelab', 'lab-kubeconfig', kubeconfig.replace(lab.url, 'https://10.99.0.1:6443'));
    const r = await lab.run(['op:pull', '--cluster', 'lab', '--vault', 'homelab', '--what', 'kubeconfig', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not match rackhand.yaml');
    expect(r.stderr).toContain('https://10.99.0.1:6443'); // shown in the plan: where the pulled file points
    expect(await readFile(lab.kubeconfigPath, 'utf8')).toBe(kubeconfig);
    expect((await readdir(dirname(lab.kubeconfigPath))).filter((f) => f.includes('.rackhand-') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('no vault anywhere is exit 2 naming the field; nothing runs', async () => {
    const r = await lab.run(['op:pull', '--cluster', 'lab', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--vault: expected a 1Password vault (or');
    expect(r.stderr).toContain('clusters.lab.onepassword.vault)');
  });
});
