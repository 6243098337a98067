// talos:rotate-talosconfig on the lab: a control plane issues a new client certificate (the lab's `talosctl config
// new`), the new talosconfig must authenticate before it replaces the old one (0600, the old kept as .bak), --push
// stores it in 1Password byte for byte; when the new one does not work, the old file is untouched and no temp is left.
import { readdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

describe('talos:rotate-talosconfig', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    const { writeFile } = await import('node:fs/promises');
    const cfg = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, cfg.replace(/\n    kubeconfig:/, '\n    onepassword: { vault: homelab }\n    kubeconfig:'));
  });
  afterAll(async () => { await lab?.stop(); });
  const crt = async () => { const t = parse(await readFile(lab.talosconfigPath, 'utf8')); return t.contexts[t.context].crt as string; };
  const leftovers = async () => (await readdir(lab.dir)).filter((f) => f.startsWith('talosconfig.'));

  it('replaces the talosconfig with a freshly issued one that works, keeps the old as .bak, and pushes it to 1Password', async () => {
    const before = await crt();
    const original = await readFile(lab.talosconfigPath, 'utf8');
    const r = await lab.run(['talos:rotate-talosconfig', '--cluster', 'lab', '--push', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await crt()).not.toBe(before);
    expect((await stat(lab.talosconfigPath)).mode & 0o777).toBe(0o600);
    expect(lab.events.filter((e) => e.type === 'talos-config-new').map((e) => e.detail)).toEqual(['os:admin 8760h']);
    const bak = (await leftovers()).filter((f) => f.endsWith('.bak'));
    expect(bak).toHaveLength(1);
    expect(await readFile(`${lab.dir}/${bak[0]}`, 'utf8')).toBe(original);
    expect(lab.vault.document('homelab', 'lab-talosconfig')).toBe(await readFile(lab.talosconfigPath, 'utf8'));
  });

  it('when no control plane answers, the old talosconfig stays and no temp file is left', async () => {
    const before = await readFile(lab.talosconfigPath, 'utf8');
    const cp1 = lab.talos.machines.find((x) => x.name === 'cp1')!;
    cp1.off = true; // powered off: talosctl cannot reach it
    try {
      const r = await lab.run(['talos:rotate-talosconfig', '--cluster', 'lab', '--yes']);
      expect(r.code).toBe(1);
      expect(await readFile(lab.talosconfigPath, 'utf8')).toBe(before);
      expect((await leftovers()).filter((f) => f.endsWith('.rackhand-new'))).toEqual([]);
    } finally {
      cp1.off = false;
    }
  });
});
