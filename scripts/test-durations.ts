// Writes test/durations.json (seconds per test file) from a vitest JSON report, for test/sequencer.ts:
//   npx vitest run --reporter=json --outputFile.json=/tmp/vitest.json && npm run test:durations -- /tmp/vitest.json
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** the file's path in this checkout, for a report made in another (a CI clone): the shortest suffix that exists here */
function key(name: string): string {
  const parts = name.split('/');
  for (let i = parts.length - 2; i >= 0; i--) {
    const suffix = parts.slice(i).join('/');
    if (parts[i] === 'test' && existsSync(join(process.cwd(), suffix))) return suffix;
  }
  return relative(process.cwd(), name);
}

const report = process.argv[2];
if (!report) { console.error('usage: npm run test:durations -- <vitest JSON report>'); process.exit(2); }
const r = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string; startTime: number; endTime: number }[] };
const out = Object.fromEntries(r.testResults
  .map((f) => [key(f.name), Math.max(1, Math.round((f.endTime - f.startTime) / 1000))] as const)
  .sort((a, b) => b[1] - a[1]));
writeFileSync('test/durations.json', `${JSON.stringify(out, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(out).length} files, ${Object.values(out).reduce((a, b) => a + b, 0)} s in all`);
