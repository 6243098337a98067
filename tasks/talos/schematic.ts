// talos:schematic — the Image Factory schematic id of a schematic file (the YAML talhelper and the factory take:
// customization.systemExtensions.officialExtensions, extraKernelArgs, meta, overlay), computed offline the way the
// factory hashes it (lib/talos/schematic.ts), and with --upload registered with the factory (POST /schematics), whose
// answer must be the same id. Prints the installer image and ISO URL for it. Better than `curl -X POST --data-binary
// @schematic.yaml https://factory.talos.dev/schematics`: the id is known without the network, and a factory that
// answers another id (a field the offline hash does not cover) is said out loud.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { defineTask } from '../../lib/engine/define.ts';
import { VERSION } from '../../lib/engine/flag-kit.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { uploadSchematic } from '../../lib/talos/factory.ts';
import { schematicExtensions, schematicId, type Schematic } from '../../lib/talos/schematic.ts';

function schematic() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const path = resolve(ctx.cwd, ctx.flags.file as string);
      const text = await readFile(path, 'utf8').catch(() => { throw new UsageError(`--file: no file at ${path}`); });
      let doc: Record<string, unknown>;
      try { doc = (parse(text) ?? {}) as Record<string, unknown>; } catch (err) { throw new UsageError(`--file ${path}: not YAML: ${(err as Error).message.split('\n')[0]}`); }
      const offline = schematicId(doc);
      const version = (ctx.flags.version as string | undefined) ?? 'vX.Y.Z';
      const factory = (ctx.flags.factory as string).replace(/\/+$/, '');
      const show = (id: string) => {
        ctx.data.schematic = id;
        ctx.out(`schematic: ${id}\nextensions: ${schematicExtensions(doc as Schematic).join(', ') || '(none)'}\ninstaller: ${factory.replace(/^https?:\/\//, '')}/installer/${id}:${version}\niso:       ${factory}/image/${id}/${version}/metal-amd64.iso`);
      };
      if (!ctx.flags.upload) {
        return [{
          title: `schematic id of ${ctx.flags.file as string} (offline)`,
          mutating: false,
          async run() {
            if ('unknown' in offline) throw new StepFailure(`${path}: ${offline.unknown}`, `--upload asks ${factory} for it`);
            show(offline.id);
          },
        }];
      }
      return [{
        title: `upload ${ctx.flags.file as string} to ${factory}/schematics`,
        async run() {
          if (ctx.dryRun) { ctx.log.info(`[dry-run] would POST ${path} to ${factory}/schematics`); if ('id' in offline) show(offline.id); return; }
          const id = await uploadSchematic(factory, text, ctx.signal);
          ctx.data.offlineId = 'id' in offline ? offline.id : null;
          if ('id' in offline && offline.id !== id) ctx.log.warning(`the factory's id ${id} is not the offline one ${offline.id}: the file has something the offline hash does not cover; the factory's id is the one to use`);
          show(id);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'schematic id of a schematic file, offline as the Image Factory hashes it; --upload registers it and checks the id',
  example: 'npx tsx tasks talos:schematic talos/schematic.yaml --upload',
  flags: {
    file: { type: 'string', required: true, positional: true, description: 'the schematic YAML' },
    upload: { type: 'boolean', description: 'register it with the Image Factory (POST /schematics)' },
    version: { ...VERSION, description: 'the Talos version for the printed installer and ISO' },
    factory: { type: 'string', default: 'https://factory.talos.dev', pattern: /^https?:\/\/\S+$/, hint: 'an http(s) URL', description: 'the Image Factory' },
  },
  destructive: false,
  cluster: false,
  impl: schematic,
});
