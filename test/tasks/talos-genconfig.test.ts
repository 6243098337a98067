// talos:genconfig runs talhelper (the lab's) next to talconfig.yaml with the age key from 1Password in its
// environment only: talenv.sops.yaml and talsecret.sops.yaml are decrypted by talhelper, every generated file is
// 0600, the run lists which configs are new, changed or unchanged, and neither the key nor a cluster secret reaches
// argv, output or the run record. Without the key the run is refused before talhelper runs.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptForLab } from '../../lab/sops/sops.ts';
import { withLab } from '../helpers/lab.ts';

const AGE_KEY = 'AGE-SECRET-KEY-1LABQ7X3M9TZK2V8WN4RJ6YHD5SPC0FGLU3EA7B9XQ2MTK8ZRNV4H6WJD';
const SECRET = { cluster: { id: 'labclusterid_4f1c', secret: 'labclustersecret_8d2e91' }, secrets: { bootstraptoken: 'labboot.7c1f0a9e' }, trustdinfo: { token: 'labtrustd.33aa91' }, certs: { os: { crt: 'LABOSCRT', key: 'labos_key_5e71aa' } } };

describe('talos:genconfig', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let cfg: string;
  const dir = () => join(lab.dir, 'talos');
  beforeAll(async () => {
    lab = await withLab();
    await mkdir(dir());
    await writeFile(join(dir(), 'talconfig.yaml'), [
      'clusterName: ${clusterName}', 'talosVersion: ${talosVersion}', 'kubernetesVersion: v1.31.4', 'endpoint: https://${clusterEndpointIP}:6443', 'nodes:',
      ...['cp1:10.5.0.11:true', 'cp2:10.5.0.12:true', 'cp3:10.5.0.13:true', 'w1:10.5.0.21:false', 'w2:10.5.0.22:false'].map((s) => {
        const [h, ip, cp] = s.split(':');
        return `  - hostname: ${h}\n    ipAddress: ${ip}\n    controlPlane: ${cp}`;
      }),
    ].join('\n'));
    await writeFile(join(dir(), 'talenv.sops.yaml'), encryptForLab({ clusterName: 'lab', talosVersion: 'v1.12.1', clusterEndpointIP: '10.5.0.10' }, AGE_KEY));
    await writeFile(join(dir(), 'talsecret.sops.yaml'), encryptForLab(SECRET, AGE_KEY));
    cfg = (await readFile(lab.configPath, 'utf8')).replace(/\n    nodes:\n(      - .*\n)+/, '\n    talconfig: ./talos/talconfig.yaml\n');
  });
  afterAll(async () => { await lab?.stop(); });
  const configure = (extra: string) => writeFile(lab.configPath, cfg.replace('\n    talconfig:', `\n${extra}    talconfig:`));

  it('renders every node\'s config 0600 with the decrypted secrets; a re-run reports them unchanged; nothing secret is shown', async () => {
    await configure('    sopsAgeKey: op://homelab/sops/age-key\n');
    const r = await lab.run(['talos:genconfig']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.record!.data.files).toEqual({ 'lab-cp1.yaml': 'new', 'lab-cp2.yaml': 'new', 'lab-cp3.yaml': 'new', 'lab-w1.yaml': 'new', 'lab-w2.yaml': 'new', talosconfig: 'new' });
    const cp1 = join(dir(), 'clusterconfig', 'lab-cp1.yaml');
    expect((await stat(cp1)).mode & 0o777).toBe(0o600);
    expect(await readFile(cp1, 'utf8')).toContain('labclustersecret_8d2e91');
    const talhelper = r.record!.commands.find((c) => c.argv[0] === 'talhelper' && c.argv[1] === 'genconfig')!;
    expect(talhelper.argv).toEqual(['talhelper', 'genconfig', '--config-file', join(dir(), 'talconfig.yaml'), '--out-dir', join(dir(), 'clusterconfig')]);
    const shown = `${r.stdout}${r.stderr}${JSON.stringify(r.record)}`;
    for (const s of [AGE_KEY, 'labclustersecret_8d2e91', 'labos_key_5e71aa']) expect(shown).not.toContain(s);
    const again = await lab.run(['talos:genconfig']);
    expect(again.code, again.stderr).toBe(0);
    expect(Object.values(again.record!.data.files as Record<string, string>)).toEqual(Array(6).fill('unchanged'));
  });

  it('without the age key the talconfig cannot be read: refused before talhelper runs (exit 2), naming sopsAgeKey', async () => {
    await configure('');
    const r = await lab.run(['talos:genconfig']);
    expect(r.code).toBe(2);
    expect(r.record?.commands.some((c) => c.argv[0] === 'talhelper') ?? false).toBe(false);
    expect(r.stderr).toContain('sopsAgeKey');
  });
});
