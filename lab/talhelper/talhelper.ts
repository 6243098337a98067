// The lab's talhelper: `talhelper genconfig [-c talconfig.yaml] [-e env-file]... [-s secret-file] [-o out-dir]`
// (budimanjojo/talhelper cmd/genconfig.go; defaults talconfig.yaml, talenv.yaml / talenv.sops.yaml and
// talsecret.yaml / talsecret.sops.yaml when present, ./clusterconfig). Env files and the secret file are decrypted
// the way talhelper does it, with the sops libraries reading SOPS_AGE_KEY (here: the lab's sops); ${VAR} is
// substituted from the env files and the environment; one machine config per node is written to
// <out-dir>/<clusterName>-<hostname>.yaml plus <out-dir>/talosconfig, and each generated file is named on stdout.
// The machine configs are the lab's own minimal ones (version, machine type, install disk, hostname, the cluster's
// secrets from the secret file), not talhelper's full rendering.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { runSops } from '../sops/sops.js';
import type { CliRequest, CliResult } from '../talos/talosctl.js';

function valuesOf(req: CliRequest, file: string): Record<string, any> {
  const text = readFileSync(file, 'utf8');
  if (!/\nsops:\s*\n/.test(`\n${text}`)) return (parse(text) ?? {}) as Record<string, any>;
  const r = runSops({ argv: ['--decrypt', file], cwd: req.cwd, ...(req.env ? { env: req.env } : {}) });
  // talhelper's error when a sops file cannot be decrypted (approximate: it wraps the sops library error)
  if (r.exitCode !== 0) throw new Error(`failed to decrypt/read ${file}: ${r.stderr.split('\n')[0]}`);
  return (parse(r.stdout) ?? {}) as Record<string, any>;
}

export function runTalhelper(req: CliRequest): CliResult {
  const io = { stdout: '', stderr: '' };
  const argv = req.argv;
  if (argv[0] === '--version' || argv[0] === '-v') return { ...io, stdout: 'talhelper version v3.0.38\n', exitCode: 0 };
  if (argv[0] !== 'genconfig') return { ...io, stderr: `the lab's talhelper only does genconfig (got ${argv[0] ?? 'nothing'})\n`, exitCode: 1 };
  const opt = (short: string, long: string): string[] => argv.flatMap((a, i) => (a === short || a === long) && argv[i + 1] ? [argv[i + 1]!] : a.startsWith(`${long}=`) ? [a.slice(long.length + 1)] : []);
  const at = (p: string) => resolve(req.cwd, p);
  const config = at(opt('-c', '--config-file')[0] ?? 'talconfig.yaml');
  const firstExisting = (names: string[]) => names.map(at).filter((p) => existsSync(p));
  const envFiles = opt('-e', '--env-file').length ? opt('-e', '--env-file').map(at) : firstExisting(['talenv.yaml', 'talenv.yml', 'talenv.sops.yaml', 'talenv.sops.yml']);
  const secretFile = opt('-s', '--secret-file')[0] ? at(opt('-s', '--secret-file')[0]!) : firstExisting(['talsecret.yaml', 'talsecret.yml', 'talsecret.sops.yaml', 'talsecret.sops.yml'])[0];
  const outDir = at(opt('-o', '--out-dir')[0] ?? './clusterconfig');
  try {
    if (!existsSync(config)) throw new Error(`failed to read config file: open ${config}: no such file or directory`);
    const vars: Record<string, string> = {};
    for (const f of envFiles) for (const [k, v] of Object.entries(valuesOf(req, f))) vars[k] = String(v);
    const env = { ...(req.env ?? {}), ...vars };
    const text = readFileSync(config, 'utf8').replace(/\$\{(\w+)(:-([^}]*))?\}/g, (_m, k: string, _d, dflt?: string) => env[k] ?? dflt ?? '');
    const tal = parse(text) as { clusterName: string; endpoint: string; talosVersion?: string; nodes: { hostname: string; ipAddress: string; controlPlane?: boolean; installDisk?: string }[] };
    if (!secretFile) throw new Error('no secret file: run `talhelper gensecret > talsecret.sops.yaml` and encrypt it');
    const sec = valuesOf(req, secretFile);
    mkdirSync(outDir, { recursive: true });
    for (const n of tal.nodes) {
      const role = n.controlPlane ? 'controlplane' : 'worker';
      const cfg = {
        version: 'v1alpha1',
        machine: {
          type: role, token: sec.trustdinfo?.token ?? '', ca: { crt: sec.certs?.os?.crt ?? '', ...(role === 'controlplane' ? { key: sec.certs?.os?.key ?? '' } : {}) },
          install: { disk: n.installDisk ?? '/dev/sda', image: `factory.talos.dev/installer/lab:${tal.talosVersion ?? 'v1.12.1'}` },
          network: { hostname: n.hostname, interfaces: [{ deviceSelector: { physical: true }, addresses: [`${n.ipAddress}/24`] }] },
        },
        cluster: { id: sec.cluster?.id ?? '', secret: sec.cluster?.secret ?? '', clusterName: tal.clusterName, controlPlane: { endpoint: tal.endpoint }, token: sec.secrets?.bootstraptoken ?? '' },
      };
      const file = join(outDir, `${tal.clusterName}-${n.hostname}.yaml`);
      writeFileSync(file, stringify(cfg), { mode: 0o600 });
      io.stdout += `generated config for ${n.hostname} in ${file}\n`;
    }
    writeFileSync(join(outDir, 'talosconfig'), stringify({ context: tal.clusterName, contexts: { [tal.clusterName]: { endpoints: tal.nodes.filter((n) => n.controlPlane).map((n) => n.ipAddress), ca: sec.certs?.os?.crt ?? '', crt: '', key: '' } } }), { mode: 0o600 });
    io.stdout += `generated client config in ${join(outDir, 'talosconfig')}\n`;
    return { ...io, exitCode: 0 };
  } catch (err) {
    io.stderr += `${(err as Error).message}\n`;
    return { ...io, exitCode: 1 };
  }
}
