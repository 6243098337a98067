// Image Factory schematics offline. The factory names a schematic by the sha256 of its canonical YAML: Go's yaml.v3
// Marshal of the Schematic struct, 4-space indent, sequences indented under their key, `customization` always
// present, overlay first (siderolabs/image-factory pkg/schematic/schematic.go ID()). Checked against two ids the
// factory hands out: `customization: {}` = 376567988ad3…b4ba (vanilla) and officialExtensions
// [siderolabs/qemu-guest-agent] = ce4c980550dd…7515 (test/lib/schematic.test.ts). Fields rackhand cannot
// reproduce byte for byte (secureboot, bootloader, ...) make the id unknown rather than wrong.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

export interface Schematic {
  overlay?: { image?: string; name?: string; options?: Record<string, unknown> };
  customization?: {
    extraKernelArgs?: string[];
    meta?: { key: number; value: string }[];
    systemExtensions?: { officialExtensions?: string[] };
  };
}

const KNOWN_TOP = new Set(['overlay', 'customization']);
const KNOWN_CUSTOM = new Set(['extraKernelArgs', 'meta', 'systemExtensions']);

/** The schematic id, or a reason it cannot be computed offline. */
export function schematicId(s: Record<string, unknown>): { id: string } | { unknown: string } {
  const extra = Object.keys(s).filter((k) => !KNOWN_TOP.has(k));
  const custom = (s.customization ?? {}) as Record<string, unknown>;
  const extraCustom = Object.keys(custom).filter((k) => !KNOWN_CUSTOM.has(k));
  if (extra.length || extraCustom.length) return { unknown: `schematic field(s) ${[...extra, ...extraCustom.map((k) => `customization.${k}`)].join(', ')} are not hashed offline` };
  const c = custom as NonNullable<Schematic['customization']>;
  const o = (s.overlay ?? {}) as NonNullable<Schematic['overlay']>;
  // struct field order and omitempty as in the Go types; an empty customization marshals as `customization: {}`
  const overlay = { ...(o.image ? { image: o.image } : {}), ...(o.name ? { name: o.name } : {}), ...(o.options && Object.keys(o.options).length ? { options: o.options } : {}) };
  const customization = {
    ...(c.extraKernelArgs?.length ? { extraKernelArgs: c.extraKernelArgs.map(String) } : {}),
    ...(c.meta?.length ? { meta: c.meta.map((m) => ({ key: m.key, value: m.value })) } : {}),
    ...(c.systemExtensions?.officialExtensions?.length ? { systemExtensions: { officialExtensions: c.systemExtensions.officialExtensions.map(String) } } : {}),
  };
  const doc = { ...(Object.keys(overlay).length ? { overlay } : {}), customization };
  const text = stringify(doc, { indent: 4, indentSeq: true, lineWidth: 0 });
  return { id: createHash('sha256').update(text).digest('hex') };
}

/** The official extensions a schematic installs (by full name, e.g. siderolabs/i915). */
export function schematicExtensions(s: Schematic): string[] {
  return s.customization?.systemExtensions?.officialExtensions?.map(String) ?? [];
}

/** An Image Factory installer reference's schematic id (…/installer/<id>[:tag], also metal-installer and
 *  installer-secureboot), undefined for any other image (ghcr.io/siderolabs/installer carries no extensions). */
export function imageSchematic(image: string): string | undefined {
  return /\/(?:metal-)?installer(?:-secureboot)?\/([0-9a-f]{64})(?::|$)/.exec(image)?.[1];
}
