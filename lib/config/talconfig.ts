// Reads nodes and versions from a talhelper talconfig.yaml (budimanjojo/talhelper pkg/config/config.go:
// clusterName, talosVersion, kubernetesVersion, endpoint, nodes[].hostname/ipAddress/controlPlane/talosImageURL/
// schematic/patches, controlPlane/worker role defaults, top-level patches; a patch is inline YAML or "@./file").
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { schematicExtensions, schematicId, type Schematic } from '../talos/schematic.ts';
import { z } from 'zod';
import { substituteTalconfig } from './talenv.ts';
import { address, nodeName, versionTag } from '../validate.ts';
import type { NodeConfig } from './schema.ts';
import { ConfigError, parseYamlText } from './yaml-errors.ts';

// a version left empty by an unset variable is "not set here" (rackhand.yaml's versions may supply it)
const optionalVersion = z.preprocess((v) => (v === '' ? undefined : v), versionTag.optional());

const patches = z.array(z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])).optional();
const schematic = z.looseObject({}).optional();
// what a node may set and the controlPlane/worker blocks give as defaults (talhelper NodeConfigs)
const nodeConfigs = { talosImageURL: z.string().optional(), schematic, patches };

const talconfigSchema = z.looseObject({
  clusterName: z.string().optional(),
  talosVersion: optionalVersion,
  kubernetesVersion: optionalVersion,
  endpoint: z.string().optional(),
  patches,
  controlPlane: z.looseObject(nodeConfigs).optional(),
  worker: z.looseObject(nodeConfigs).optional(),
  nodes: z.array(z.looseObject({
    hostname: nodeName,
    ipAddress: address,
    controlPlane: z.boolean().default(false),
    ...nodeConfigs,
  })).min(1, 'expected at least one node'),
});

export interface TalconfigData {
  nodes: NodeConfig[];
  versions: { talos?: string; kubernetes?: string };
  /** talhelper's clusterName: it names the generated machine configs, clusterconfig/<clusterName>-<hostname>.yaml */
  clusterName?: string;
  /** the control plane endpoint the machine configs carry (cluster.controlPlane.endpoint) */
  endpoint?: string;
  /** variables the talconfig uses that nothing set (they became empty, as envsubst makes them) */
  unset: string[];
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

export async function readTalconfig(path: string, env: Record<string, string | undefined> = process.env, decrypt?: (file: string) => Promise<Record<string, unknown>>): Promise<TalconfigData> {
  let sub;
  try {
    sub = await substituteTalconfig(path, env, decrypt);
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
      throw new ConfigError([...err.problems, `${path}: unset variable(s) ${sub.unset.map((v) => `\${${v}}`).join(', ')}: set them in ${join(dirname(path), 'talenv.yaml')} or the environment${sub.sopsFile && !sub.sopsRead ? ` (${sub.sopsFile} is encrypted and was not read: set clusters.<name>.sopsAgeKey to the age key's op:// reference, or give sops its key as usual)` : sub.sopsRead ? ` (${sub.sopsFile} was read too)` : ''}`]);
    }
    throw err;
  }
  const base = dirname(path);
  const patchText = (list: unknown[] | undefined, where: string) => (list ?? []).map((p, i) => {
    if (typeof p !== 'string') return JSON.stringify(p);
    if (!p.startsWith('@')) return p;
    // "@./file" names a patch file relative to the talconfig (talhelper docs, "patches")
    const file = resolve(base, p.slice(1));
    if (!existsSync(file)) throw new ConfigError([`${path} ${where}.patches[${i}]: ${file} does not exist (expected "@./path/to/patch.yaml" relative to the talconfig)`]);
    return readFileSync(file, 'utf8');
  }).join('\n');
  const global = patchText(data.patches, 'patches');
  const roles = { controlplane: patchText(data.controlPlane?.patches, 'controlPlane'), worker: patchText(data.worker?.patches, 'worker') };
  return {
    nodes: data.nodes.map((n, i) => {
      const role = n.controlPlane ? 'controlplane' : 'worker';
      const defaults = n.controlPlane ? data.controlPlane : data.worker;
      // registerWithFQDN comes in through patches (global, per role or per node, inline or a file): any
      // `registerWithFQDN: true` (YAML) or "registerWithFQDN":true (inline objects) counts
      const text = [global, roles[role], patchText(n.patches, `nodes[${i}]`)].join('\n');
      const withFqdn = /registerWithFQDN"?\s*:\s*true/.test(text);
      const name = registeredName(n.hostname, withFqdn);
      const image = installerFor(n.talosImageURL ?? defaults?.talosImageURL, (n.schematic ?? defaults?.schematic) as Record<string, unknown> | undefined);
      return {
        name, address: n.ipAddress, role,
        // talhelper names the machine config after the hostname as written (clusterconfig/<cluster>-<hostname>.yaml)
        ...(name !== n.hostname ? { hostname: n.hostname } : {}),
        // a node's own installer (its schematic's extensions): upgrading it with another one would remove them
        ...image,
      } satisfies NodeConfig;
    }),
    versions: { talos: data.talosVersion, kubernetes: data.kubernetesVersion },
    ...(data.clusterName ? { clusterName: data.clusterName } : {}),
    ...(data.endpoint ? { endpoint: data.endpoint } : {}),
    unset: sub.unset,
  };
}

/** talosImageURL wins; else a schematic gives factory.talos.dev/installer/<id> as talhelper does (its id computed
 *  offline, lib/talos/schematic.ts) and the extensions the node should run. */
function installerFor(url: string | undefined, s: Record<string, unknown> | undefined): Pick<NodeConfig, 'installer' | 'extensions' | 'installerUnknown'> {
  const extensions = s ? { extensions: schematicExtensions(s as Schematic) } : {};
  if (url) return { installer: installerRepository(url), ...extensions };
  if (!s) return {};
  const id = schematicId(s);
  return 'id' in id ? { installer: `factory.talos.dev/installer/${id.id}`, ...extensions } : { ...extensions, installerUnknown: id.unknown };
}
