// The files a lab hands to its users: a kubeconfig (mode 0600) and the rackhand.yaml that lib/config.ts loads.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Topology } from './topology.js';

// The token is never checked: client-go sends no bearer token over plain http (observed with kubectl 1.33).
export async function writeKubeconfig(path: string, cluster: string, url: string, token: string): Promise<void> {
  const user = `admin@${cluster}`;
  const doc = {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: cluster, cluster: { server: url } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster, user, namespace: 'default' } }],
    'current-context': user,
  };
  await writeFile(path, stringify(doc), { mode: 0o600 });
}

/** rackhand.yaml: clusters.<name> with distribution, kubeconfig (relative to the file), context, apiServer, versions, installer, nodes. */
export async function writeRackhandConfig(path: string, t: Topology, url: string, kubernetesVersion: string): Promise<void> {
  const nodes = t.nodes.map((n) => `      - { name: ${n.name}, address: ${n.address}, role: ${n.role} }`).join('\n');
  const text = `# written by the rackhand lab (lab/lab.ts)
clusters:
  ${t.cluster}:
    distribution: talos
    kubeconfig: ./kubeconfig
    context: admin@${t.cluster}
    apiServer: ${url}
    versions: { talos: ${t.versions.talos}, kubernetes: ${kubernetesVersion} }
    installer: { image: ${t.installer.image}, schematic: ${t.installer.schematic} }
    nodes:
${nodes}
`;
  await writeFile(path, text, { mode: 0o644 });
}
