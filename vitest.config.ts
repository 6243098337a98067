import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // one child process runs file after file (no test mocks, stubs env or chdirs; each file starts its own labs):
    // no fork and no re-import per file
    isolate: false,
    // lab tests mostly wait (simulated reboots, restic, kubectl round trips): three files at a time on a 2-core machine
    // (vitest's default there is one; measured on a clean checkout: 2 workers ~450 s, 3 workers ~390 s)
    maxWorkers: 3,
    // longest files first, from the checked-in test/durations.json (a clean checkout has no vitest cache)
    sequence: { sequencer: LongestFirst },
  },
});
