// `talosctl machineconfig patch <file|/dev/stdin> --patch @file [--patch ...] [-o out]`: a machine config with
// strategic-merge patches applied, printed to stdout unless -o names a file (siderolabs/talos
// cmd/talosctl/cmd/mgmt/machineconfig/patch.go). The lab's merge is an approximation of Talos' configpatcher: maps
// merge key by key, lists are appended, a patch that is a list (JSON 6902) is refused.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { type Command, CliError, out } from './command.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function merge(base: Obj, patch: Obj): Obj {
  const res: Obj = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = res[k];
    res[k] = isObj(b) && isObj(v) ? merge(b, v) : Array.isArray(b) && Array.isArray(v) ? [...b, ...v] : v;
  }
  return res;
}

export const machineconfigPatchCmd: Command = {
  path: 'machineconfig patch',
  aliases: ['mc patch'],
  args: { exact: 1 },
  flags: [
    { name: 'patch', short: 'p', type: 'strings', usage: 'patch generated machineconfigs (applied to all node types), use @file to read a patch from file' },
    { name: 'output', short: 'o', type: 'string', usage: 'output destination. if not specified, output will be printed to stdout' },
  ],
  async run(c) {
    const [file] = c.args;
    const read = async (f: string) => (f === '/dev/stdin' || f === '-' ? c.stdin ?? '' : readFile(resolve(c.cwd, f), 'utf8'));
    let doc: Obj;
    try {
      doc = parse(await read(file!)) as Obj;
    } catch (e) {
      throw new CliError(`failed to load config: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const p of (c.flags.patch as string[] | undefined) ?? []) {
      let text: string;
      try {
        text = p.startsWith('@') ? await readFile(resolve(c.cwd, p.slice(1)), 'utf8') : p;
      } catch {
        throw new CliError(`open ${p.slice(1)}: no such file or directory`);
      }
      const patch = parse(text) as unknown;
      if (!isObj(patch)) throw new CliError('the lab\'s machineconfig patch only applies strategic merge patches (YAML maps)');
      doc = merge(doc, patch);
    }
    const text = stringify(doc);
    if (c.flags.output && c.flags.output !== '-') await writeFile(resolve(c.cwd, c.flags.output as string), text);
    else out(c, text);
  },
};
