// What a Talos node runs besides Talos: its system extensions and, for Image Factory installs, the schematic id
// (reported as an extension named `schematic` whose version is the id; siderolabs/image-factory). Upgrading with
// an installer of another schematic replaces the extensions: the image of onedr0p/cluster-template#1680 and of
// joryirving's per-node GPU schematics. rackhand compares before it upgrades.
import { imageSchematic } from './schematic.ts';
import { VANILLA_SCHEMATIC } from './images.ts';

export interface NodeExtensions { schematic?: string; names: string[] }

const short = (e: string) => e.split('/').pop()!;
const list = (names: string[] | undefined) => (names === undefined ? 'extensions unknown' : names.length ? names.map(short).join(', ') : 'no extensions');
const id = (s: string) => `${s.slice(0, 12)}…`;

/** How the node's extensions change if it installs `image` (whose schematic installs `want`, when known), or
 *  undefined when they stay the same. */
export function extensionChange(now: NodeExtensions, image: string, want?: string[]): string | undefined {
  const target = imageSchematic(image);
  // a vanilla schematic or a plain installer (ghcr.io/siderolabs/installer) installs no extensions
  const wanted = want ?? (!target || target === VANILLA_SCHEMATIC ? [] : undefined);
  if (now.schematic && target && now.schematic !== target) return `schematic ${id(now.schematic)} (${list(now.names)}) -> ${id(target)} (${list(wanted)})`;
  if (!wanted) return undefined;
  const a = new Set(now.names.map(short));
  const b = new Set(wanted.map(short));
  if (a.size === b.size && [...a].every((x) => b.has(x))) return undefined;
  return `extensions ${list(now.names)} -> ${list(wanted)}${target ? '' : ` (${image} is not an Image Factory installer)`}`;
}
