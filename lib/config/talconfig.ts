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
  /** talosImageURL of the first node that sets one, e.g. factory.talos.dev/installer/<schematic>. */
  imageURL?: string;
}

export async function readTalconfig(path: string): Promise<TalconfigData> {
  const data = await parseYamlFile(path, talconfigSchema);
  return {
    nodes: data.nodes.map((n) => ({ name: n.hostname, address: n.ipAddress, role: n.controlPlane ? 'controlplane' : 'worker' })),
    versions: { talos: data.talosVersion, kubernetes: data.kubernetesVersion },
    imageURL: data.nodes.find((n) => n.talosImageURL)?.talosImageURL,
  };
}
