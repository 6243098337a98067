// talos:download-image (alias talos:generate-iso: the boot ISO) — downloads a Talos image for the cluster's schematic
// and version from the Image Factory: into --out, through a private temp file, its sha256 computed on the way and
// checked against --sha256 when given, then `<file>.sha256` written beside it; a file whose .sha256 still matches is
// not downloaded again. --offline (or a factory that cannot be reached) prints the URL to fetch elsewhere. Better than
// `curl -LO https://factory.talos.dev/image/...`: the schematic and version come from rackhand.yaml, no half-written
// ISO is ever left where a USB writer would pick it up, and the checksum is recorded.
import { join, resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { VERSION } from '../../lib/engine/flag-kit.ts';
import { UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { formatBytes } from '../../lib/patterns.ts';
import { requireTalos } from '../../lib/talos/driver.ts';
import { download, verifiedChecksum } from '../../lib/talos/factory.ts';
import { VANILLA_SCHEMATIC } from '../../lib/talos/images.ts';

function downloadImage() {
  return {
    validate(ctx: TaskContext) {
      requireTalos(ctx);
      if (!ctx.flags.version && !ctx.cluster.versions.talos) throw new UsageError(`--version: expected a version like v1.12.3 (clusters.${ctx.cluster.name}.versions.talos is not set)`);
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const version = (ctx.flags.version as string | undefined) ?? ctx.cluster.versions.talos!;
      const schematic = (ctx.flags.schematic as string | undefined) ?? ctx.cluster.installer?.schematic ?? VANILLA_SCHEMATIC;
      const file = ctx.flags.image as string;
      const url = `${(ctx.flags.factory as string).replace(/\/+$/, '')}/image/${schematic}/${version}/${file}`;
      const dest = join(resolve(ctx.cwd, ctx.flags.out as string), file);
      Object.assign(ctx.data, { url, schematic, version, file: dest });
      if (ctx.flags.offline) {
        ctx.out(`${url}\n(offline: fetch it elsewhere, e.g. curl -fLO ${url}; then sha256sum ${file})`);
        return [];
      }
      return [{
        title: `download ${file} (Talos ${version}, schematic ${schematic.slice(0, 12)}…) to ${dest}`,
        async isDone() {
          const sum = await verifiedChecksum(dest);
          if (!sum || (ctx.flags.sha256 && sum !== (ctx.flags.sha256 as string).toLowerCase())) return false;
          ctx.data.sha256 = sum;
          return `${dest} is there and matches its ${file}.sha256`;
        },
        async run(rt) {
          if (ctx.dryRun) { ctx.log.info(`[dry-run] would download ${url}`); return; }
          let shown = 0;
          const r = await download(url, dest, {
            signal: ctx.signal, timeoutMs: ctx.flags.timeout as number, ...(ctx.flags.sha256 ? { sha256: ctx.flags.sha256 as string } : {}),
            onProgress: (b) => { if (b - shown >= 64 << 20) { shown = b; rt.output(`${formatBytes(b)} so far`); } },
          });
          ctx.data.sha256 = r.sha256;
          ctx.artifact(file, dest);
          ctx.out(`${dest}: ${formatBytes(r.bytes)}, sha256 ${r.sha256}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'download a Talos image (default: the boot ISO) for the configured schematic and version, checksummed; --offline prints the URL',
  example: 'npx tsx tasks talos:download-image --cluster home --image metal-amd64.raw.zst --out ./images',
  flags: {
    image: { type: 'string', default: 'metal-amd64.iso', pattern: /^[a-z0-9]+-(amd64|arm64)[a-z0-9.-]*$/, hint: 'an Image Factory file name like metal-amd64.iso or metal-arm64.raw.zst', description: 'the image file' },
    version: { ...VERSION, description: 'Talos version (default: versions.talos from rackhand.yaml)' },
    schematic: { type: 'string', pattern: /^[0-9a-f]{64}$/, hint: 'a 64-character schematic id', description: 'schematic id (default: installer.schematic, else vanilla)' },
    out: { type: 'string', default: '.', description: 'the folder to put it in' },
    sha256: { type: 'string', pattern: /^[0-9a-fA-F]{64}$/, hint: 'a sha256 hex digest', description: 'the checksum it must have (it is not kept otherwise)' },
    factory: { type: 'string', default: 'https://factory.talos.dev', pattern: /^https?:\/\/\S+$/, hint: 'an http(s) URL', description: 'the Image Factory' },
    offline: { type: 'boolean', description: 'print the URL only' },
    timeout: { type: 'duration', default: 30 * 60_000, description: 'deadline for the download' },
  },
  destructive: false,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  aliases: {
    'talos:generate-iso': { summary: 'talos:download-image --image metal-amd64.iso: the boot ISO for the configured schematic and version', example: 'npx tsx tasks talos:generate-iso --cluster home', presetFlags: { image: 'metal-amd64.iso' } },
  },
  impl: downloadImage,
});
