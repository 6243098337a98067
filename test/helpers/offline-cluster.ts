// A rackhand.yaml + kubeconfig for engine tests that need a configured cluster but no API server: kubectl only
// reads the kubeconfig (config view), nothing listens on the address.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function offlineCluster(): Promise<{ dir: string; env: Record<string, string | undefined> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-engine-'));
  await writeFile(join(dir, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: home, cluster: {server: "http://127.0.0.1:9"}}]',
    'users: [{name: admin, user: {token: t0ken-in-kubeconfig}}]',
    'contexts: [{name: admin@home, context: {cluster: home, user: admin}}]',
    'current-context: admin@home', '',
  ].join('\n'), { mode: 0o600 });
  await writeFile(join(dir, 'rackhand.yaml'), [
    'clusters:', '  home:', '    distribution: talos', '    kubeconfig: ./kubeconfig', '    context: admin@home',
    '    apiServer: http://127.0.0.1:9', '    nodes:', '      - { name: cp1, address: 10.0.0.11, role: controlplane }', '',
  ].join('\n'));
  return { dir, env: { ...process.env, RACKHAND_CONFIG: join(dir, 'rackhand.yaml'), RACKHAND_STATE_DIR: join(dir, '.rackhand'), CI: 'true' } };
}
