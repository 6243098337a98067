// Test helpers: start a lab per suite and drive the machine's real kubectl against it (argv arrays, lab.env).
import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import { startLab, type Lab, type LabOptions } from '../../lab/lab.js';

export const KUBECTL = '/usr/bin/kubectl';

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function kubectl(lab: Lab, ...args: string[]): Promise<Run> {
  const r = await execa(KUBECTL, args, { env: lab.env, reject: false, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** kubectl that must succeed; returns stdout */
export async function ok(lab: Lab, ...args: string[]): Promise<string> {
  const r = await kubectl(lab, ...args);
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} => rc ${r.exitCode}\n${r.stderr}`);
  return r.stdout;
}

export async function json<T = any>(lab: Lab, ...args: string[]): Promise<T> {
  return JSON.parse(await ok(lab, ...args, '-o', 'json')) as T;
}

export async function openLab(opts: LabOptions = {}): Promise<Lab> {
  return startLab(opts);
}

export async function closeLab(lab: Lab | undefined): Promise<void> {
  if (!lab) return;
  await lab.stop();
  await rm(lab.dir, { recursive: true, force: true });
}

/** The whitespace-split rows of a kubectl table, header included. */
export function rows(table: string): string[][] {
  return table.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
}

/** Polls fn until it returns true, or fails saying what it waited for. */
export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
