#!/usr/bin/env node
// The one generic client behind every fake CLI of the lab (talosctl, op, flux; helmfile later):
//   node fake-cli.mjs --lab http://127.0.0.1:PORT --tool NAME -- ARGS...
// POSTs {tool, argv, cwd, env, stdin?} to /_lab/cli/<tool> and writes back {stdout, stderr, exitCode}. Plain
// JavaScript, node:http only (no fetch/undici, no dependencies) so it starts in a few tens of milliseconds: a rollout
// calls it many times. Long commands (upgrade --wait) simply hold the request open. stdin is read only when an
// argument is "-" or /dev/stdin (e.g. `apply-config -f /dev/stdin`) or the tool reads it by itself (`op inject` without an input file), so a
// caller that leaves stdin open never blocks us. env carries only the variables the fakes look at (FORWARDED).
import { request } from 'node:http';

const argv = process.argv.slice(2);
let lab = '';
let tool = '';
let i = 0;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') { i++; break; }
  if (a === '--lab') lab = argv[++i] ?? '';
  else if (a === '--tool') tool = argv[++i] ?? '';
  else break;
}
const args = argv.slice(i);
if (!lab || !tool) {
  process.stderr.write('usage: fake-cli.mjs --lab URL --tool NAME -- ARGS...\n');
  process.exit(2);
}

const readStdin = () => new Promise((resolve) => {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  process.stdin.on('error', () => resolve(''));
});

// the caller's environment the fakes may look at: 1Password auth (op), the kubeconfig, the helmfile environment; sops: its age key and editor
const FORWARDED = /^(KUBECONFIG|TALOSCONFIG|HELMFILE_\w+|OP_\w+|SOPS_AGE_\w+|SOPS_EDITOR|EDITOR)$/;
const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => FORWARDED.test(k) && v !== undefined));

// `op inject` reads the template from stdin unless -i/--in-file names a file (op-js passes --in-file=/dev/stdin)
const opInjectReadsStdin = (a) => {
  const valued = new Set(['--account', '--config', '--encoding', '--format', '--session']);
  let i = 0;
  while (i < a.length && a[i].startsWith('-')) i += valued.has(a[i]) ? 2 : 1;
  if (a[i] !== 'inject') return false;
  for (let j = i + 1; j < a.length; j++) {
    const m = /^(?:--in-file|-i)(?:=(.*))?$/.exec(a[j]) ?? /^-i(.+)$/.exec(a[j]);
    if (m) { const file = m[1] ?? a[j + 1]; return file === '/dev/stdin' || file === '-'; }
  }
  return true;
};
const wantsStdin = args.includes('-') || args.includes('/dev/stdin') || (tool === 'op' && !process.stdin.isTTY && opInjectReadsStdin(args));

// the caller's umask: a fake that creates a file (etcd snapshot) creates it with the mode the real tool would get
const body = JSON.stringify({ tool, argv: args, cwd: process.cwd(), env, umask: process.umask(), ...(wantsStdin ? { stdin: await readStdin() } : {}) });
const url = new URL(`/_lab/cli/${encodeURIComponent(tool)}`, lab);

const write = (stream, text) => new Promise((resolve) => (text ? stream.write(text, () => resolve()) : resolve()));

const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', async () => {
    let reply;
    try {
      reply = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      process.stderr.write(`fake ${tool}: the lab answered ${res.statusCode} with something that is not JSON\n`);
      process.exit(1);
    }
    if (typeof reply.exitCode !== 'number') {
      process.stderr.write(`fake ${tool}: the lab answered ${res.statusCode}: ${reply.message ?? JSON.stringify(reply)}\n`);
      process.exit(1);
    }
    await write(process.stdout, reply.stdout ?? '');
    await write(process.stderr, reply.stderr ?? '');
    process.exit(reply.exitCode);
  });
});
req.on('error', (err) => {
  process.stderr.write(`fake ${tool}: cannot reach the lab at ${lab}: ${err.message}\n`);
  process.exit(1);
});
req.end(body);
