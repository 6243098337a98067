// talhelper's talenv.sops.yaml (buroa/k8s-gitops, onedr0p/cluster-template): a variable only the encrypted file
// defines is read by decrypting it with sops in memory, the age key coming from 1Password (sopsAgeKey) through
// sops' environment; the key and the secret values never reach argv, output or the run record.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptForLab } from '../../lab/sops/sops.ts';
import { withLab } from '../helpers/lab.ts';

const AGE_KEY = 'AGE-SECRET-KEY-1LABQ7X3M9TZK2V8WN4RJ6YHD5SPC0FGLU3EA7B9XQ2MTK8ZRNV4H6WJD';
const SCHEMATIC = 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515';

describe('talenv.sops.yaml', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let cfg: string;
  beforeAll(async () => {
    lab = await withLab();
    const dir = join(lab.dir, 'talos');
    await mkdir(dir);
    await writeFile(join(dir, 'talconfig.yaml'), [
      'clusterName: ${clusterName}', 'talosVersion: ${talosVersion}', 'kubernetesVersion: v1.31.4', 'endpoint: https://${clusterEndpointIP}:6443', 'nodes:',
      ...['cp1:10.5.0.11:true', 'cp2:10.5.0.12:true', 'cp3:10.5.0.13:true', 'w1:10.5.0.21:false', 'w2:10.5.0.22:false'].map((s) => {
        const [h, ip, cp] = s.split(':');
        return `  - hostname: ${h}\n    ipAddress: ${ip}\n    controlPlane: ${cp}\n    talosImageURL: factory.talos.dev/installer/\${installerSchematic}`;
      }),
    ].join('\n'));
    await writeFile(join(dir, 'talenv.yaml'), 'talosVersion: v1.12.2\nclusterName: lab\n');
    await writeFile(join(dir, 'talenv.sops.yaml'), encryptForLab({ clusterEndpointIP: '10.5.0.10', installerSchematic: SCHEMATIC, CLUSTER_TOKEN: 'labtoken_9f8e7d6c5b4a39281706' }, AGE_KEY));
    cfg = await readFile(lab.configPath, 'utf8');
  });
  afterAll(async () => { await lab?.stop(); });

  const configure = (extra: string) => writeFile(lab.configPath, cfg.replace(/\n    nodes:\n(      - .*\n)+/, `\n    talconfig: ./talos/talconfig.yaml\n${extra}`));

  it('is decrypted with the age key from 1Password, in memory; the key is never in argv, output or the record', async () => {
    await configure('    sopsAgeKey: op://homelab/sops/age-key\n');
    const r = await lab.run(['talos:image']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`cp1:       factory.talos.dev/installer/${SCHEMATIC}:v1.12.1`); // versions.talos in rackhand.yaml wins
    const sops = r.record!.commands.find((c) => c.argv[0] === 'sops')!;
    expect(sops.argv).toEqual(['sops', '--decrypt', '--input-type', 'yaml', '--output-type', 'yaml', join(lab.dir, 'talos', 'talenv.sops.yaml')]);
    expect(`${r.stdout}${r.stderr}${JSON.stringify(r.record)}`).not.toContain(AGE_KEY);
  });

  it('without the key: exit 2 naming the file, sops\' failure and what to set; nothing else runs', async () => {
    await configure('');
    const r = await lab.run(['talos:image']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('talenv.sops.yaml: sops --decrypt failed (exit 128): Failed to get the data key required to decrypt the SOPS file.');
    expect(r.stderr).toContain('sopsAgeKey');
    expect(r.record!.commands.map((c) => c.argv[0])).toEqual(['sops']);
  });
});
