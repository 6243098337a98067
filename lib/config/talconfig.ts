// Reads nodes and versions from a talhelper talconfig.yaml (budimanjojo/talhelper pkg/config/config.go:
// clusterName, talosVersion, kubernetesVersion, endpoint, nodes[].hostname/ipAddress/controlPlane/talosImageURL).
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { substituteTalconfig } from './talenv.ts';
import { address, nodeName, versionTag } from '../validate.ts';
import type { NodeConfig } from './schema.ts';
import { ConfigError, parseYamlText } from './yaml-errors.ts';

// a version left empty by an unset variable is "not set here" (rackhand.yaml's versions may supply it)
const optionalVersion = z.preprocess((v) => (v === '' ? undefined : v), versionTag.optional());

const talconfigSchema = z.looseObject({
  clusterName: z.string().optional(),
  talosVersion: optionalVersion,
  kubernetesVersion: optionalVersion,
  endpoint: z.string().optional(),
  nodes: z.array(z.looseObject({
    hostname: nodeName,
    ipAddress: address,
    controlPlane: z.boolean().default(false),
    talosImageURL: z.string().optional(),
  })).min(1, 'expected at least one node'),
});

export interface TalconfigData {
  nodes: NodeConfig[];
  versions: { talos?: string; kubernetes?: string };
  /** talhelper's clusterName: it names the generated machine configs, clusterconfig/<clusterName>-<hostname>.yaml */
  clusterName?: string;
}

/** talosImageURL is the installer repository; talhelper appends `:<talosVersion>` (talhelper docs, "talosImageURL").
 *  A tag written into it anyway is dropped: the target version decides the tag. */
export function installerRepository(url: string): string {
  return url.replace(/:v\d+\.\d+\.\d+[^/]*$/, '');
}

/** The name the kubelet registers: Talos uses the short hostname unless machine.kubelet.registerWithFQDN is set
 *  (talos.dev v1alpha1 reference, KubeletConfig.registerWithFQDN), which talconfigs set through patches. */
export function registeredName(hostname: string, withFqdn: boolean): string {
  return withFqdn ? hostname : hostname.split('.')[0]!;
}

export async function readTalconfig(path: string, env: Record<string, string | undefined> = process.env): Promise<TalconfigData> {
  let sub;
  try {
    sub = await substituteTalconfig(path, env);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let data;
  try {
    data = parseYamlText(sub.text, path, talconfigSchema);
  } catch (err) {
    // a field that came out wrong because a variable was unset: say which variables, and where they come from
    if (err instanceof ConfigError && sub.unset.length) {
      throw new ConfigError([...err.problems, `${path}: unset variable(s) ${sub.unset.map((v) => `\${${v}}`).join(', ')}: set them in ${join(dirname(path), 'talenv.yaml')} or the environment${sub.sopsFile ? ` (${sub.sopsFile} is encrypted and not read)` : ''}`]);
    }
    throw err;
  }
  // registerWithFQDN comes in through patches (inline, per role or per node): any `registerWithFQDN: true` counts
  const withFqdn = /registerWithFQDN:\s*true/.test(sub.text);
  return {
    nodes: data.nodes.map((n) => ({
      name: registeredName(n.hostname, withFqdn), address: n.ipAddress, role: n.controlPlane ? 'controlplane' : 'worker',
      // talhelper names the machine config after the hostname as written (clusterconfig/<cluster>-<hostname>.yaml)
      ...(registeredName(n.hostname, withFqdn) !== n.hostname ? { hostname: n.hostname } : {}),
      // a node's own installer (its schematic's extensions): upgrading it with another one would remove them
      ...(n.talosImageURL ? { installer: installerRepository(n.talosImageURL) } : {}),
    })),
    versions: { talos: data.talosVersion, kubernetes: data.kubernetesVersion },
    ...(data.clusterName ? { clusterName: data.clusterName } : {}),
  };
}
