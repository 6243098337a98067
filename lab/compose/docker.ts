// The `docker` CLI of a lab Compose host, read-only: `ps` (filters on labels, --format {{.ID}} or {{json .}}, -q),
// `inspect` and `image inspect` (JSON arrays, 4-space indented as the CLI prints them; "Error: No such object: X",
// exit 1, for an unknown one: docker/cli cli/command/inspect), `compose ls --format json`, `version --format`.
// Anything that would change the host (run, rm, compose up, ...) is refused and recorded: rackhand's compose
// tasks are read-only on hosts, and a test can prove it.
import { containerId, containerName, inspectContainer, inspectImage, imageId, IMAGES, type LabComposeHost } from './world.js';

export interface DockerResult { stdout: string; stderr: string; exitCode: number }

const ok = (stdout: string): DockerResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1): DockerResult => ({ stdout: '', stderr: `${stderr}\n`, exitCode });
const pretty = (v: unknown) => `${JSON.stringify(v, null, 4)}\n`;

export function runDocker(h: LabComposeHost, args: string[], mutations: string[]): DockerResult {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'version': return ok(rest.includes('--format') ? '1.47\n' : 'Client: Docker Engine - Community\n Version: 27.3.1\n API version: 1.47\n');
    case 'ps': return ps(h, rest);
    case 'inspect': return inspect(h, rest.filter((a) => !a.startsWith('-')));
    case 'image':
      if (rest[0] === 'inspect') return images(rest.slice(1).filter((a) => !a.startsWith('-')));
      break;
    case 'compose':
      if (rest[0] === 'ls') {
        const projects = [...new Set(h.containers.filter((c) => !c.oneoff).map((c) => c.project))].sort();
        return ok(`${JSON.stringify(projects.map((p) => {
          const cs = h.containers.filter((c) => c.project === p && !c.oneoff);
          const up = cs.filter((c) => c.running !== false).length;
          return { Name: p, Status: up === cs.length ? `running(${up})` : `running(${up}), exited(${cs.length - up})`, ConfigFiles: (h.configFiles[p] ?? []).join(',') };
        }))}\n`);
      }
      break;
  }
  mutations.push(`${h.name}: docker ${args.join(' ')}`);
  return fail(`lab: docker ${args[0] ?? ''} would change ${h.name}; the lab's Docker hosts take read-only commands only`, 125);
}

function ps(h: LabComposeHost, args: string[]): DockerResult {
  const all = args.includes('-a') || args.includes('--all');
  const quiet = args.includes('-q') || args.includes('--quiet');
  const filters: string[] = [];
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--filter' || args[i] === '-f') filters.push(args[++i]!);
    else if (args[i]!.startsWith('--filter=')) filters.push(args[i]!.slice(9));
    else if (args[i] === '--format') format = args[++i];
    else if (args[i]!.startsWith('--format=')) format = args[i]!.slice(9);
  }
  const list = h.containers.filter((c) => (all || c.running !== false) && filters.every((f) => {
    const m = /^label=([^=]+)(?:=(.*))?$/.exec(f);
    if (!m) return true;
    const labels = (inspectContainer(h, c) as { Config: { Labels: Record<string, string> } }).Config.Labels;
    return m[2] === undefined ? m[1]! in labels : labels[m[1]!] === m[2];
  }));
  if (quiet || format === '{{.ID}}') return ok(list.map((c) => `${containerId(h.name, c).slice(0, args.includes('--no-trunc') ? 64 : 12)}\n`).join(''));
  if (format === '{{json .}}' || format === 'json') {
    return ok(list.map((c) => `${JSON.stringify({ ID: containerId(h.name, c).slice(0, 12), Image: c.image, Names: containerName(c), State: c.running === false ? 'exited' : 'running', Status: c.running === false ? 'Exited (137) 2 hours ago' : 'Up 4 weeks' })}\n`).join(''));
  }
  return ok(['CONTAINER ID   IMAGE   NAMES', ...list.map((c) => `${containerId(h.name, c).slice(0, 12)}   ${c.image}   ${containerName(c)}`)].join('\n') + '\n');
}

function inspect(h: LabComposeHost, ids: string[]): DockerResult {
  const out: object[] = [];
  for (const x of ids) {
    const c = h.containers.find((k) => containerId(h.name, k).startsWith(x) || containerName(k) === x);
    if (!c) return { stdout: out.length ? pretty(out) : '[]\n', stderr: `Error: No such object: ${x}\n`, exitCode: 1 };
    out.push(inspectContainer(h, c));
  }
  return ok(pretty(out));
}

function images(refs: string[]): DockerResult {
  const out: object[] = [];
  for (const r of refs) {
    const ref = IMAGES.find((i) => i.ref === r || imageId(i.ref) === r || i.ref.replace(/^docker\.io\/library\//, '') === r)?.ref;
    const img = ref ? inspectImage(ref) : undefined;
    if (!img) return { stdout: out.length ? pretty(out) : '[]\n', stderr: `Error response from daemon: No such image: ${r}\n`, exitCode: 1 };
    out.push(img);
  }
  return ok(pretty(out));
}
