// Writes test/durations.json (seconds per test file) from a vitest JSON report, for test/sequencer.ts:
//   npx vitest run --reporter=json --outputFile.json=/tmp/vitest.json && npm run test:durations -- /tmp/vitest.json
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = process.argv[2];
if (!report) { console.error('usage: npm run test:durations -- <vitest JSON report>'); process.exit(2); }
const r = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string; startTime: number; endTime: number }[] };
const out = Object.fromEntries(r.testResults
  .map((f) => [relative(process.cwd(), f.name), Math.max(1, Math.round((f.endTime - f.startTime) / 1000))] as const)
  .sort((a, b) => b[1] - a[1]));
writeFileSync('test/durations.json', `${JSON.stringify(out, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(out).length} files, ${Object.values(out).reduce((a, b) => a + b, 0)} s in all`);
