// npm run bench: start-up cost of the CLI. Runs `npx tsx tasks list` and `npx tsx -e 0` alternately on the same
// machine and prints their median wall times and the ratio (goal: <= 1.3, rackhand adds at most 30% to tsx itself).
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
