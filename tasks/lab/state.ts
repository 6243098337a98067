// Where the background lab keeps its files and how to tell whether it is alive (shared by lab:up/down/status).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabState } from '../../lab/state.ts';

export type { LabState };

export function labDir(stateDir: string): string { return join(stateDir, 'lab'); }

export async function readLabState(stateDir: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(join(labDir(stateDir), 'state.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Shell-quoted export lines for `eval "$(npx tsx tasks lab:up)"`. PATH is not frozen: the lab's bin folder is
 *  put in front of the PATH of the shell that evaluates the lines. */
export function exportLines(state: LabState): string {
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  return Object.entries(state.env).map(([k, v]) => (k === 'PATH'
    ? `export PATH=${quote(join(state.dir, 'bin'))}:"$PATH"`
    : `export ${k}=${quote(v)}`)).join('\n');
}
