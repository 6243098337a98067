// The shape of rackhand.yaml. One cluster entry per cluster the operator runs; `talconfig` may replace `nodes` and
// `versions` for Talos clusters managed with talhelper.
import { z } from 'zod';
import { address, nodeName, versionTag } from '../validate.ts';

export const nodeSchema = z.strictObject({
  name: nodeName,
  address,
  role: z.enum(['controlplane', 'worker'], { error: 'expected controlplane or worker' }),
});

export const clusterSchema = z.strictObject({
  distribution: z.enum(['talos', 'k3s'], { error: 'expected talos or k3s' }),
  kubeconfig: z.string().min(1, 'expected a path to a kubeconfig file'),
  context: z.string().min(1, 'expected the kube context name'),
  apiServer: z.url({ error: 'expected the API server URL, e.g. https://10.0.0.10:6443' }),
  talconfig: z.string().min(1).optional(),
  versions: z.strictObject({
    talos: versionTag.optional(),
    kubernetes: versionTag.optional(),
    k3s: z.string().regex(/^v\d+\.\d+\.\d+\+k3s\d+$/, 'expected a k3s version like v1.31.4+k3s1').optional(),
  }).optional(),
  installer: z.strictObject({
    image: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 'expected an image repository, e.g. factory.talos.dev/installer'),
    schematic: z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-character hex schematic id'),
  }).optional(),
  nodes: z.array(nodeSchema).optional(),
});

export const configSchema = z.strictObject({
  clusters: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a cluster name (lowercase letters, digits, "-")'), clusterSchema),
});

export type NodeConfig = z.infer<typeof nodeSchema>;
export type RawClusterConfig = z.infer<typeof clusterSchema>;

/** A cluster after loading: paths absolute, nodes and versions resolved (from talconfig where referenced). */
export interface ClusterConfig extends Omit<RawClusterConfig, 'nodes' | 'versions'> {
  name: string;
  nodes: NodeConfig[];
  versions: NonNullable<RawClusterConfig['versions']>;
  /** The file the cluster came from, for messages. */
  source: string;
}
