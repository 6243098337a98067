#!/usr/bin/env node
// The one generic client behind every fake CLI of the lab (talosctl, helmfile; flux, op later):
//   node fake-cli.mjs --lab http://127.0.0.1:PORT --tool NAME -- ARGS...
// POSTs {tool, argv, cwd, env, stdin?} to /_lab/cli/<tool> and writes back {stdout, stderr, exitCode}. env carries only
// an allowlist of the caller's variables (KUBECONFIG, HELMFILE_*, OP_*): what the real tools read from theirs. Plain JavaScript,
// node:http only (no fetch/undici, no dependencies) so it starts in a few tens of milliseconds: a rollout calls it
// many times. Long commands (upgrade --wait) simply hold the request open. stdin is read only when an argument is
// "-" (e.g. `apply-config -f -`), so a caller that leaves stdin open never blocks us.
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

const FORWARDED = /^(KUBECONFIG|HELMFILE_\w+|OP_\w+)$/;
const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => FORWARDED.test(k) && v !== undefined));
const body = JSON.stringify({ tool, argv: args, cwd: process.cwd(), env, ...(args.includes('-') ? { stdin: await readStdin() } : {}) });
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
