// A runbook run's progress, kept under the state dir (.rackhand/runbooks/<name>.json) after every finished step:
// a later run resumes at the first unfinished step. A runbook whose text changed since starts over.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Progress { hash: string; cluster?: string; done: Record<string, { at: string; record?: string }> }

export const runbookHash = (text: string) => createHash('sha256').update(text).digest('hex');
const file = (stateDir: string, name: string) => join(stateDir, 'runbooks', `${name}.json`);

export function readProgress(stateDir: string, name: string, hash: string, cluster: string | undefined): Progress {
  const f = file(stateDir, name);
  if (existsSync(f)) {
    try {
      const p = JSON.parse(readFileSync(f, 'utf8')) as Progress;
      if (p.hash === hash && p.cluster === cluster) return p;
    } catch { /* unreadable: start over */ }
  }
  return { hash, ...(cluster ? { cluster } : {}), done: {} };
}

export function saveProgress(stateDir: string, name: string, p: Progress): void {
  mkdirSync(join(stateDir, 'runbooks'), { recursive: true });
  const f = file(stateDir, name);
  writeFileSync(`${f}.tmp`, JSON.stringify(p, null, 2));
  renameSync(`${f}.tmp`, f);
}
