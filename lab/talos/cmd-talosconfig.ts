// `talosctl config new [<path>] [--roles os:admin] [--crt-ttl 87600h]` (cmd/talosctl/cmd/talos/config.go configNewCmd;
// machined GenerateClientConfiguration): a control plane issues a new client certificate for the given roles and the
// command writes a talosconfig with it to <path> (default ./talosconfig), refusing a path that exists. The lab's
// certificates are dummies (the fake never checks them): a new one is a fresh random one, so a rotation is visible.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { CliError, out, reach, singleNode, type Command } from './command.js';
import { RpcError } from './world.js';

export const configNewCmd: Command = {
  path: 'config new',
  args: { max: 1 },
  flags: [
    { name: 'roles', type: 'strings', default: ['os:admin'], usage: 'roles' },
    { name: 'crt-ttl', type: 'string', default: '87600h', usage: 'certificate TTL' },
  ],
  async run(c) {
    const node = singleNode(c, 'config new');
    const path = resolve(c.cwd, c.args[0] ?? 'talosconfig');
    if (existsSync(path)) throw new CliError(`file ${JSON.stringify(path)} already exists`);
    const r = reach(c, node);
    if (r.error) throw new CliError(`error generating client configuration: ${r.error.message}`);
    if (!r.machine!.controlPlane) throw new CliError(`error generating client configuration: ${new RpcError('Unimplemented', 'client configuration (talosconfig) can only be generated on a control plane').message}`);
    const current = parse(readFileSync(c.flags.talosconfig ? resolve(c.cwd, c.flags.talosconfig) : c.defaultTalosconfig, 'utf8')) as { context: string; contexts: Record<string, Record<string, unknown>> };
    const name = c.flags.context || current.context;
    const pem = (what: string) => Buffer.from(`-----BEGIN ${what}-----\n${randomBytes(24).toString('base64')}\n-----END ${what}-----\n`).toString('base64');
    const fresh = { context: name, contexts: { [name]: { ...current.contexts[name], crt: pem('CERTIFICATE'), key: pem('ED25519 PRIVATE KEY') } } };
    await writeFile(path, stringify(fresh), { mode: 0o600 });
    c.world.deps.record('talos-config-new', node, `${(c.flags.roles as string[]).join(',')} ${c.flags['crt-ttl']}`);
    out(c, '');
  },
};
