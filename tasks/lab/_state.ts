// Where the background lab keeps its files and how to tell whether it is alive (shared by lab:up/down/status).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabState } from '../../lab/state.ts';
import { quoteArg } from '../../lib/shell-quote.ts';

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
  return `${Object.entries(state.env).map(([k, v]) => (k === 'PATH'
    ? `export PATH=${quoteArg(join(state.dir, 'bin'))}:"$PATH"`
    : `export ${k}=${quoteArg(v)}`)).join('\n')}\n`;
}

/** The lines that undo exportLines in the shell that evaluated them (`eval "$(npx tsx tasks lab:down)"`): variables
 *  still pointing at this lab are unset (one the operator has changed since is left alone), and the lab's bin
 *  folder leaves PATH, so a real talosctl, flux, helmfile or op is found again. `shellEnv` is the environment of
 *  the shell that runs lab:down (it inherits the shell's). */
export function unsetLines(state: LabState, shellEnv: Record<string, string | undefined>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(state.env)) {
    if (k === 'PATH') {
      const bin = join(state.dir, 'bin');
      const parts = (shellEnv.PATH ?? '').split(':');
      if (parts.includes(bin)) lines.push(`export PATH=${quoteArg(parts.filter((p) => p !== bin).join(':'))}`);
    } else if (shellEnv[k] === v) lines.push(`unset ${k}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
