// Reads nodes and versions from a talhelper talconfig.yaml (budimanjojo/talhelper pkg/config/config.go:
// clusterName, talosVersion, kubernetesVersion, endpoint, nodes[].hostname/ipAddress/controlPlane/talosImageURL).
import { z } from 'zod';
import { address, nodeName, versionTag } from '../validate.ts';
import type { NodeConfig } from './schema.ts';
import { parseYamlFile } from './yaml-errors.ts';

const talconfigSchema = z.looseObject({
  clusterName: z.string().optional(),
  talosVersion: versionTag.optional(),
  kubernetesVersion: versionTag.optional(),
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

export async function readTalconfig(path: string): Promise<TalconfigData> {
  const data = await parseYamlFile(path, talconfigSchema);
  return {
    nodes: data.nodes.map((n) => ({
      name: n.hostname, address: n.ipAddress, role: n.controlPlane ? 'controlplane' : 'worker',
      // a node's own installer (its schematic's extensions): upgrading it with another one would remove them
      ...(n.talosImageURL ? { installer: installerRepository(n.talosImageURL) } : {}),
    })),
    versions: { talos: data.talosVersion, kubernetes: data.kubernetesVersion },
    ...(data.clusterName ? { clusterName: data.clusterName } : {}),
  };
}
