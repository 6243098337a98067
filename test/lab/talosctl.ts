// Test helpers for the fake talosctl: run DIR/bin/talosctl with the lab's environment (argv arrays, no shell).
import { execa } from 'execa';
import type { Lab } from '../../lab/lab.js';
import type { Run } from './kubectl.js';

export const IMAGE = (v: string) => `factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:${v}`;

export async function talosctl(lab: Lab, ...args: string[]): Promise<Run> {
  const r = await execa(`${lab.dir}/bin/talosctl`, args, { env: lab.env, cwd: lab.dir, reject: false, timeout: 60_000, stripFinalNewline: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** json.Decoder over concatenated objects, as a talosctl consumer must read `get -o json` */
export function concatenatedJson(text: string): any[] {
  const out: any[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') { if (depth++ === 0) start = i; }
    else if (ch === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

export const eventsOf = (lab: Lab, node: string) => lab.events.filter((e) => e.object === node).map((e) => e.type);
