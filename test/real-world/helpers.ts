// Labs shaped like a corpus repository (test/fixtures/real-world/): the topology's nodes, schematics and versions come
// from the repository's own talconfig (or a node list), and rackhand.yaml points at the repository's files as an
// operator of that repository would write it.
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { readTalconfig } from '../../lib/config/talconfig.ts';
import { envsubst } from '../../lib/config/talenv.ts';
import type { NodeConfig } from '../../lib/config/schema.ts';
import { imageSchematic } from '../../lib/talos/schematic.ts';
import { withLab } from '../helpers/lab.ts';

export const CORPUS = resolve('test/fixtures/real-world');
export const corpus = (...p: string[]) => join(CORPUS, ...p);
export type TestLab = Awaited<ReturnType<typeof withLab>>;

/** the version before `v` (one patch, or the previous minor's .0): what the lab's machines run before an upgrade */
export function previous(v: string): string {
  const [maj, min, pat] = v.slice(1).split('.').map(Number) as [number, number, number];
  return pat > 0 ? `v${maj}.${min}.${pat - 1}` : `v${maj}.${min - 1}.0`;
}

export interface Shape {
  cluster: string;
  nodes: NodeConfig[];
  talos: string;
  kubernetes: string;
  volsyncApps?: Record<string, unknown>[];
}

/** A lab topology file for `s`: every machine on its node's schematic (whose extensions it runs), one version behind. */
export function topologyFile(s: Shape): string {
  const schematics: Record<string, string[]> = {};
  for (const n of s.nodes) {
    const id = n.installer ? imageSchematic(`${n.installer}:v0.0.0`) : undefined;
    if (id && n.extensions) schematics[id] = n.extensions;
    if (id && !schematics[id]) schematics[id] = id === 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515' ? ['siderolabs/qemu-guest-agent']
      : id === '4b3cd373a192c8469e859b7a0cfbed3ecc3577c4a2d346a37b0aeff9cd17cdb0' ? ['siderolabs/i915', 'siderolabs/intel-ucode'] : [];
  }
  const topology = {
    cluster: s.cluster,
    versions: { kubernetes: s.kubernetes, talos: previous(s.talos) },
    talosctl: { version: s.talos },
    schematics,
    nodes: s.nodes.map((n) => ({ name: n.name, address: n.address, role: n.role, ...(n.installer ? { talos: { schematic: imageSchematic(`${n.installer}:v0.0.0`) } } : {}) })),
    namespaces: ['apps', 'flux-system', 'volsync-system'],
    volsyncApps: s.volsyncApps ?? [],
  };
  const dir = mkdtempSync(join(tmpdir(), 'rh-corpus-'));
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  return join(dir, 'topology.yaml');
}

export async function shapeOf(talconfig: string, extra: Partial<Shape> = {}): Promise<Shape> {
  const t = await readTalconfig(talconfig, {});
  return { cluster: t.clusterName!, nodes: t.nodes, talos: t.versions.talos!, kubernetes: t.versions.kubernetes!, ...extra };
}

/** rackhand.yaml for the lab: `clusters` entries get the lab's kubeconfig, talosconfig, context and API server */
export async function configure(lab: TestLab, clusters: Record<string, Record<string, unknown>>, contextCluster: string): Promise<void> {
  const entries = Object.fromEntries(Object.entries(clusters).map(([k, v]) => [k, {
    distribution: 'talos', kubeconfig: join(lab.dir, 'kubeconfig'), talosconfig: join(lab.dir, 'talosconfig'),
    context: `admin@${contextCluster}`, apiServer: lab.url, ...v,
  }]));
  await writeFile(lab.configPath, stringify({ clusters: entries }));
}

/** A VolSync component rendered as Flux's postBuild would (APP and the defaults), applied over the lab's own objects. */
export async function applyComponent(lab: TestLab, file: string, vars: Record<string, string>): Promise<void> {
  const text = envsubst(await readFile(file, 'utf8'), (n) => vars[n]).text;
  const r = await execa('kubectl', ['apply', '--namespace', 'apps', '--server-side', '--force-conflicts', '--field-manager', 'flux', '-f', '-'], { input: text, env: { ...process.env, ...lab.env }, reject: false });
  if (r.exitCode !== 0) throw new Error(`kubectl apply of ${file}: ${r.stderr}`);
}

export const argvOf = (r: { record?: { commands: { argv: string[] }[] } }) => r.record!.commands.map((c) => c.argv.join(' '));
