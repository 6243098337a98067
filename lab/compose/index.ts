// A Docker Compose homelab for rackhand's compose tasks: Docker hosts reachable over real OpenSSH on 127.0.0.1 (one
// sshd each, as the k3s lab's nodes: lab/ssh/sshd.ts), each with a read-only `docker` CLI over what runs there
// (lab/compose/world.ts, docker.ts), and the Git repositories the compose files come from (an apps repo and an infra
// repo: real git clones made from lab/compose/repos with a lab identity). Writes a rackhand.yaml whose compose:
// section points at all of it. Faults edit what runs, as hands do.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { splitCommand } from '../k3s/shell.js';
import { startShellServer } from '../k3s/shell-server.js';
import { labClientKey, startSshd, type LabSshd } from '../ssh/sshd.js';
import { runDocker } from './docker.js';
import { initialHosts, type LabComposeHost, type LabContainer } from './world.js';

const run = promisify(execFile);
const NODE_SHELL = fileURLToPath(new URL('../ssh/node-shell.sh', import.meta.url));
const REPOS = fileURLToPath(new URL('./repos', import.meta.url));

export interface ComposeLab {
  dir: string;
  configPath: string;
  hosts: LabComposeHost[];
  /** the operator's checkouts of the repositories */
  repos: Record<'apps' | 'infra', string>;
  /** every command that would have changed a host (none may happen) */
  mutations: string[];
  faults: {
    /** the running service's image tag bumped by hand */
    editTag(host: string, service: string, image: string): void;
    addLabel(host: string, service: string, key: string, value: string): void;
    /** the mount at `target` now comes from `source` */
    moveVolume(host: string, service: string, target: string, source: string): void;
    setEnv(host: string, service: string, key: string, value: string): void;
    /** a container started by hand next to the project (`docker run --name project-service`, no compose labels) or
     *  with the project's labels but a service Git does not have */
    orphan(host: string, project: string, service: string, image: string): void;
    /** the service's container removed (`docker rm -f`) */
    removeService(host: string, service: string): void;
    /** a container started with `docker run --name NAME` (no Compose labels at all) */
    handStarted(host: string, name: string, image: string): void;
    /** the service's container stopped (exited 137) */
    stopService(host: string, service: string): void;
  };
  stop(): Promise<void>;
}

/** `hosts`: how many Docker hosts (default 2); hosts beyond the two of the lab run docker1's media stack again
 *  (docker3, docker4, ...), for an audit of many hosts (the benchmark). */
export async function startComposeLab(o: { dir?: string; hosts?: number } = {}): Promise<ComposeLab> {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'rackhand-compose-lab-')));
  const hosts = initialHosts();
  for (let i = hosts.length; i < (o.hosts ?? 2); i++) {
    const media = initialHosts()[0]!;
    hosts.push({ ...media, name: `docker${i + 1}` });
  }
  const mutations: string[] = [];
  const repos = { apps: join(dir, 'git', 'apps'), infra: join(dir, 'git', 'infra') };
  for (const [name, path] of Object.entries(repos)) {
    await mkdir(path, { recursive: true });
    await cp(join(REPOS, name), path, { recursive: true });
    const git = (...args: string[]) => run('git', ['-C', path, '-c', 'user.name=rackhand lab', '-c', 'user.email=lab@rackhand.invalid', ...args]);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', `${name}: compose stacks`);
  }
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const shell = await startShellServer(async (req) => {
    const h = byName.get(req.node);
    if (!h) return { stdout: '', stderr: `lab: no Docker host ${req.node}\n`, exitCode: 255 };
    const split = splitCommand(req.command);
    if ('error' in split) return { stdout: '', stderr: `${split.error}\n`, exitCode: 2 };
    let argv = split.argv;
    if (argv[0] === 'sudo' && argv[1] === '-n') argv = argv.slice(2);
    if (argv[0] !== 'docker') return { stdout: '', stderr: `sh: 1: ${argv[0]}: not found\n`, exitCode: 127 };
    return runDocker(h, argv.slice(1), mutations);
  });
  const client = await labClientKey(dir);
  const sshd: LabSshd[] = [];
  try {
    for (const h of hosts) sshd.push(await startSshd(dir, h.name, { authorizedKey: client.publicKey, forceCommand: ['/bin/bash', NODE_SHELL, String(shell.port), h.name] }));
  } catch (err) {
    await Promise.all(sshd.map((s) => s.stop()));
    await shell.stop();
    throw err;
  }
  const knownHosts = join(dir, 'known_hosts');
  // known_hosts(5): "[host]:port keytype key" for a non-default port
  await writeFile(knownHosts, sshd.map((s) => `[127.0.0.1]:${s.port} ${s.hostKey.split(' ').slice(0, 2).join(' ')}\n`).join(''), { mode: 0o600 });
  const configPath = join(dir, 'rackhand.yaml');
  const hostYaml = (h: LabComposeHost, s: LabSshd, source: string) => `    ${h.name}:
      address: 127.0.0.1
      ssh: { port: ${s.port}, user: ${client.user}, key: ${client.keyFile}, knownHosts: ${knownHosts} }
      sources:
        - ${source}
`;
  await writeFile(configPath, `# written by the compose lab (lab/compose/index.ts)
clusters: {}
compose:
  repos:
    apps: { path: ${repos.apps} }
    infra: { path: ${repos.infra} }
  hosts:
${hosts.map((h, i) => hostYaml(h, sshd[i]!, h.name === 'docker2' ? '{ repo: infra, repoPath: stacks, hostPath: /srv/compose }' : '{ repo: apps, repoPath: "", hostPath: /opt/stacks }')).join('')}`);

  const find = (host: string, service: string): LabContainer => {
    const c = byName.get(host)?.containers.find((x) => x.service === service && !x.oneoff);
    if (!c) throw new Error(`lab: no service ${service} on ${host}`);
    return c;
  };
  return {
    dir, configPath, hosts, repos, mutations,
    faults: {
      editTag: (host, service, image) => { find(host, service).image = image; },
      addLabel: (host, service, key, value) => { const c = find(host, service); c.labels = { ...c.labels, [key]: value }; },
      moveVolume: (host, service, target, source) => { const c = find(host, service); c.mounts = (c.mounts ?? []).map((m) => (m.target === target ? { ...m, source } : m)); },
      setEnv: (host, service, key, value) => { const c = find(host, service); c.env = { ...c.env, [key]: value }; },
      orphan: (host, project, service, image) => { byName.get(host)!.containers.push({ project, service, image, env: {}, restart: 'no' }); },
      handStarted: (host, name, image) => { byName.get(host)!.containers.push({ project: name, service: '', image, env: {}, oneoff: true }); },
      stopService: (host, service) => { find(host, service).running = false; },
      removeService: (host, service) => { const h = byName.get(host)!; h.containers = h.containers.filter((c) => c.service !== service); },
    },
    async stop() {
      await Promise.all(sshd.map((s) => s.stop()));
      await shell.stop();
      if (!o.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
