// npm run bench: start-up cost of the CLI. Runs `npx tsx tasks list` and `npx tsx -e 0` alternately on the same
// machine and prints their median wall times and the ratio (goal: <= 1.3, rackhand adds at most 30% to tsx itself);
// then the same `list` with 50 operator tasks in a task folder (their metadata cached after the first run), and the
// cold first run that reads them all.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor } from '../../lib/exec.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const exec = new Executor({ env: process.env });

async function wall(argv: string[]): Promise<number> {
  const r = await exec.run(argv, { mutating: false, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return r.durationMs;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const cli = ['npx', 'tsx', 'tasks', 'list'];
const bare = ['npx', 'tsx', '-e', '0'];
// one warm-up each (tsx's transform cache, npx's lookup), not counted
await wall(cli);
await wall(bare);
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  a.push(await wall(cli));
  b.push(await wall(bare));
}
const ma = median(a);
const mb = median(b);
console.log(`startup: ${cli.join(' ')}  median ${ma} ms over ${ROUNDS} runs`);
console.log(`startup: ${bare.join(' ')}  median ${mb} ms over ${ROUNDS} runs`);
console.log(`startup: ratio ${(ma / mb).toFixed(2)} (goal <= 1.30)`);

// 50 operator tasks (10 namespaces x 5), plain JavaScript on the public API
const repo = mkdtempSync(join(tmpdir(), 'rh-bench-ops-'));
mkdirSync(join(repo, 'node_modules'));
symlinkSync(process.cwd(), join(repo, 'node_modules', 'rackhand'));
for (let n = 0; n < 10; n++) {
  mkdirSync(join(repo, 'ops', `ns${n}`), { recursive: true });
  for (let t = 0; t < 5; t++) {
    writeFileSync(join(repo, 'ops', `ns${n}`, `task${t}.mjs`), `import { defineTask } from 'rackhand';
export default defineTask({ summary: 'operator task ${n}.${t}', flags: { app: { type: 'string', description: 'the app' } }, destructive: false, cluster: false,
  impl: () => ({ async plan(ctx) { return [{ title: 'noop', mutating: false, async run() { ctx.out('ok'); } }]; } }) });
`);
  }
}
writeFileSync(join(repo, 'rackhand.yaml'), 'tasks: [./ops]\nclusters: {}\n');
const opsEnv = { ...process.env, RACKHAND_CONFIG: join(repo, 'rackhand.yaml'), RACKHAND_CACHE_DIR: join(repo, '.cache') };
const opsExec = new Executor({ env: opsEnv });
const opsWall = async () => {
  const r = await opsExec.run(['npx', 'tsx', join(process.cwd(), 'tasks'), 'list'], { mutating: false, timeoutMs: 60_000, cwd: repo });
  if (r.exitCode !== 0 || !r.stdout.includes('ns9:task4')) throw new Error(`list with operator tasks failed: ${r.stderr}`);
  return r.durationMs;
};
const cold = await opsWall();
const c: number[] = [];
for (let i = 0; i < ROUNDS; i++) c.push(await opsWall());
const mc = median(c);
console.log(`startup: list with 50 operator tasks  median ${mc} ms over ${ROUNDS} runs (first, cold cache: ${cold} ms)`);
console.log(`startup: ratio with 50 operator tasks ${(mc / mb).toFixed(2)} (goal <= 1.30)`);

// the installed CLI (compiled JavaScript) against bare node: `npm run build` first, then dist/bin/rackhand.js list
const build = await exec.run(['npm', 'run', '-s', 'build'], { mutating: false, timeoutMs: 300_000, env: { PACK_DEST: mkdtempSync(join(tmpdir(), 'rh-bench-pack-')) } });
if (build.exitCode !== 0) throw new Error(`npm run build: ${build.stderr}`);
const installed = ['node', join(process.cwd(), 'dist', 'bin', 'rackhand.js'), 'list'];
const node0 = ['node', '-e', '0'];
await wall(installed);
const d: number[] = [];
const e: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  d.push(await wall(installed));
  e.push(await wall(node0));
}
console.log(`startup: packaged rackhand list  median ${median(d)} ms; node -e 0 median ${median(e)} ms; ratio ${(median(d) / median(e)).toFixed(2)} (goal <= 2.00)`);
