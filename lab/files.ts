// The files a lab hands to its users: a kubeconfig (mode 0600) and the rackhand.yaml that lib/config.ts loads.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Topology } from './topology.js';

/**
 * The lab's admin kubeconfig: cluster <cluster>, user and context admin@<cluster> (the names Talos's
 * kubeconfig.GenerateAdmin uses). The token is never checked: client-go sends no bearer token over plain http
 * (observed with kubectl 1.33).
 */
export function kubeconfigDoc(cluster: string, url: string, token: string): Record<string, unknown> {
  const user = `admin@${cluster}`;
  return {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: cluster, cluster: { server: url } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster, user, namespace: 'default' } }],
    'current-context': user,
  };
}

export async function writeKubeconfig(path: string, cluster: string, url: string, token: string): Promise<void> {
  await writeFile(path, stringify(kubeconfigDoc(cluster, url, token)), { mode: 0o600 });
}

/**
 * rackhand.yaml: clusters.<name> with distribution, kubeconfig (relative to the file), context, apiServer, versions,
 * installer, nodes. An empty lab's cluster also points at the repository's bootstrap inputs (`bootstrap:
 * <repo>/bootstrap/<cluster>`, `talconfig: <repo>/talos/<cluster>/talconfig.yaml`).
 */
export async function writeRackhandConfig(path: string, t: Topology, url: string, kubernetesVersion: string, inputs?: { repo: string }): Promise<void> {
  const nodes = t.nodes.map((n) => `      - { name: ${n.name}, address: ${n.address}, role: ${n.role} }`).join('\n');
  const bootstrap = inputs ? `    bootstrap: ${join(inputs.repo, 'bootstrap', t.cluster)}\n    talconfig: ${join(inputs.repo, 'talos', t.cluster, 'talconfig.yaml')}\n` : '';
  const text = `# written by the rackhand lab (lab/lab.ts)
clusters:
  ${t.cluster}:
    distribution: talos
    kubeconfig: ./kubeconfig
    talosconfig: ./talosconfig
    context: admin@${t.cluster}
    apiServer: ${url}
${bootstrap}    versions: { talos: ${t.versions.talos}, kubernetes: ${kubernetesVersion} }
    installer: { image: ${t.installer.image}, schematic: ${t.installer.schematic} }
    nodes:
${nodes}
${t.media ? mediaSection(t.media.namespace) : ''}`;
  await writeFile(path, text, { mode: 0o644 });
}

/** the media stack as an operator would describe the lab's (lab/media): keys from config.xml, 1Password and a Secret */
const mediaSection = (ns: string) => `    media:
      namespace: ${ns}
      services:
        sonarr: { service: sonarr:8989, apiKey: { configXml: /config/config.xml } }
        radarr: { service: radarr:7878, apiKey: { configXml: /config/config.xml } }
        prowlarr: { service: prowlarr:9696, apiKey: { configXml: /config/config.xml } }
        qbittorrent: { service: qbittorrent:8080, username: admin, password: ${LAB_MEDIA_REFS.qbittorrent} }
        gluetun: { service: qbittorrent:8000 }
        jellyfin: { service: jellyfin:8096, apiKey: ${LAB_MEDIA_REFS.jellyfin} }
        plex: { service: plex:32400, apiKey: ${LAB_MEDIA_REFS.plex} }
        jellyseerr: { service: jellyseerr:5055, apiKey: { secret: jellyseerr-secret, key: API_KEY } }
`;

/** where the lab's 1Password account keeps the media stack's secrets */
export const LAB_MEDIA_REFS = { qbittorrent: 'op://homelab/qbittorrent/password', jellyfin: 'op://homelab/jellyfin/api-key', plex: 'op://homelab/plex/token' } as const;

/**
 * DIR/talosconfig as `talosctl gen config` writes it (pkg/machinery/client/config): context, contexts.<name>.{endpoints,
 * nodes, ca, crt, key}. The certificates are dummies: the fake talosctl never checks them.
 */
export async function writeTalosconfig(path: string, t: Topology): Promise<void> {
  // a cluster still to be bootstrapped (every machine in maintenance) is addressed at its future control planes
  const all = t.nodes.every((n) => n.talos?.maintenance);
  const cps = t.nodes.filter((n) => n.role === 'controlplane' && (all || !n.talos?.maintenance));
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
