// Longest test files first (LPT scheduling): with two workers the suite ends when both run out of files, and a long
// file that starts last keeps one worker busy alone. Vitest orders by its results cache, which a clean CI checkout
// does not have; test/durations.json (seconds per file, from `npm run test:durations` after a JSON-reported run) is
// that cache, checked in. A file it does not know counts as long, so a new slow file cannot end up last.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const UNKNOWN_SECONDS = 30;

function durations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const d = durations();
    const weight = (f: TestSpecification) => d[relative(process.cwd(), f.moduleId)] ?? UNKNOWN_SECONDS;
    return [...files].sort((a, b) => weight(b) - weight(a));
  }
}
