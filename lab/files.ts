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
    talosconfig: ./talosconfig
    context: admin@${t.cluster}
    apiServer: ${url}
    versions: { talos: ${t.versions.talos}, kubernetes: ${kubernetesVersion} }
    installer: { image: ${t.installer.image}, schematic: ${t.installer.schematic} }
    nodes:
${nodes}
`;
  await writeFile(path, text, { mode: 0o644 });
}

/**
 * DIR/talosconfig as `talosctl gen config` writes it (pkg/machinery/client/config): context, contexts.<name>.{endpoints,
 * nodes, ca, crt, key}. The certificates are dummies: the fake talosctl never checks them.
 */
export async function writeTalosconfig(path: string, t: Topology): Promise<void> {
  const cps = t.nodes.filter((n) => n.role === 'controlplane' && !n.talos?.maintenance);
  const dummy = (what: string) => Buffer.from(`-----BEGIN ${what}-----\nbGFiIGR1bW15\n-----END ${what}-----\n`).toString('base64');
  const doc = {
    context: t.cluster,
    contexts: { [t.cluster]: { endpoints: cps.map((n) => n.address), nodes: cps.slice(0, 1).map((n) => n.address), ca: dummy('CERTIFICATE'), crt: dummy('CERTIFICATE'), key: dummy('ED25519 PRIVATE KEY') } },
  };
  await writeFile(path, stringify(doc), { mode: 0o600 });
}

/** DIR/bin/<tool>: a /bin/sh wrapper that runs the generic fake client with the lab URL baked in */
export async function writeFakeCli(binDir: string, tool: string, clientPath: string, url: string): Promise<void> {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(`${binDir}/${tool}`, `#!/bin/sh\nexec ${q(process.execPath)} ${q(clientPath)} --lab ${url} --tool ${tool} -- "$@"\n`, { mode: 0o755 });
}
