// Talos Image Factory references for a schematic and version (cli-facts.md "Installer images";
// factory.talos.dev docs): installer <image>/<schematic>:<version>, ISO /image/<schematic>/<version>/metal-amd64.iso.
import type { ClusterConfig, NodeConfig } from '../config.ts';
import { UsageError } from '../engine/types.ts';

export const FACTORY = 'https://factory.talos.dev';
export const VANILLA_SCHEMATIC = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';

/** The installer a node upgrades to: its own repository (talconfig's talosImageURL or `nodes[].installer`), else the
 *  cluster's `installer.image/<schematic>`, else the vanilla Image Factory schematic. */
export function installerImage(cluster: ClusterConfig, version: string, node?: NodeConfig): string {
  // never fall back to the cluster's schematic for a node that has its own: that would swap its extensions
  if (node?.installerUnknown) throw new UsageError(`${cluster.talconfig ?? cluster.source}: node ${node.name}: ${node.installerUnknown}; set its talosImageURL to the installer (talhelper genurl installer) or nodes[].installer in rackhand.yaml`);
  if (node?.installer) return `${node.installer}:${version}`;
  const image = cluster.installer?.image ?? 'factory.talos.dev/installer';
  const schematic = cluster.installer?.schematic ?? VANILLA_SCHEMATIC;
  return `${image}/${schematic}:${version}`;
}

export function isoUrl(schematic: string, version: string, arch = 'amd64'): string {
  return `${FACTORY}/image/${schematic}/${version}/metal-${arch}.iso`;
}

/** The version an installer reference installs: its tag. */
export function imageVersion(image: string): string | undefined {
  return /:(v\d+\.\d+\.\d+[^/]*)$/.exec(image)?.[1];
}
