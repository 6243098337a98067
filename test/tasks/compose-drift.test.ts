// compose:drift against the compose lab: two Docker hosts over real OpenSSH with a read-only docker CLI, and the two
// Git repositories their stacks come from. A fresh lab has no drift; each hand edit is reported at its severity with
// host, project, service, field, running value and Git's (secrets only hashed); nothing on the hosts changes.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComposeLab, type ComposeLab } from '../../lab/compose/index.ts';
import { cli } from '../helpers/cli.ts';

type Finding = { host: string; project: string; service: string; field: string; severity: string; running?: string; git?: string; message: string };

describe('compose:drift (real ssh, lab docker hosts, Git checkouts)', () => {
  let lab: ComposeLab;
  let env: Record<string, string | undefined>;
  const run = (argv: string[]) => cli(argv, { env, cwd: lab.dir });
  const findings = (r: Awaited<ReturnType<typeof run>>) => (r.record!.data.drift as { hosts: { findings: Finding[] }[] }).hosts.flatMap((h) => h.findings);
  beforeAll(async () => {
    lab = await startComposeLab();
    env = { ...process.env, RACKHAND_CONFIG: lab.configPath, RACKHAND_STATE_DIR: `${lab.dir}/.rackhand`, CI: 'true' };
  }, 60_000);
  afterAll(async () => { await lab?.stop(); });

  it('a fresh lab has no drift: every project found through its source, interpolation, extends and profiles applied', async () => {
    const r = await run(['compose:drift']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no drift on 2 host(s): docker1/media, docker2/paperless, docker2/proxy');
    const hosts = (r.record!.data.drift as { hosts: { host: string; projects: { name: string; source: string }[] }[] }).hosts;
    expect(hosts.map((h) => [h.host, h.projects.map((p) => `${p.name}=${p.source}`)])).toEqual([['docker1', ['media=apps:media']], ['docker2', ['paperless=infra:stacks/paperless', 'proxy=infra:stacks/proxy']]]);
    // read-only: only docker ps / inspect / image inspect went to the hosts, nothing changed there
    expect(lab.mutations).toEqual([]);
    const remote = r.record!.commands.filter((c) => c.argv[0] === 'ssh').map((c) => c.argv.at(-1));
    expect(new Set(remote.map((c) => c!.split(' ').slice(0, 2).join(' ')))).toEqual(new Set(['docker ps', 'docker inspect', 'docker image']));
  });

  it('reports each hand edit at its severity, secrets only as hashes; exit 1; report files 0600', async () => {
    lab.faults.editTag('docker1', 'sonarr', 'lscr.io/linuxserver/sonarr:5.0.0');
    lab.faults.addLabel('docker1', 'radarr', 'traefik.enable', 'true');
    lab.faults.moveVolume('docker1', 'radarr', '/config', '/mnt/ssd/radarr');
    lab.faults.setEnv('docker2', 'db', 'POSTGRES_PASSWORD', 'changed-by-hand-secret');
    lab.faults.orphan('docker2', 'paperless', 'gotenberg', 'ghcr.io/gethomepage/homepage:v0.9.10');
    lab.faults.handStarted('docker2', 'scratchpad', 'ghcr.io/gethomepage/homepage:v0.9.10');
    lab.faults.removeService('docker1', 'jellyfin');
    const r = await run(['compose:drift', '--json']);
    expect(r.code).toBe(1);
    const f = findings(r).map((x) => [x.severity, x.host, x.project, x.service, x.field, x.running ?? null, x.git ?? null]);
    expect(f).toEqual(expect.arrayContaining([
      ['critical', 'docker1', 'media', 'sonarr', 'image', 'lscr.io/linuxserver/sonarr:5.0.0', 'lscr.io/linuxserver/sonarr:4.0.9'],
      ['warning', 'docker1', 'media', 'radarr', 'labels.traefik.enable', 'true', null],
      ['critical', 'docker1', 'media', 'radarr', 'volumes', 'bind:/mnt/ssd/radarr:/config:rw', 'bind:/opt/stacks/media/config/radarr:/config:rw'],
      ['critical', 'docker1', 'media', 'jellyfin', 'service', null, 'jellyfin/jellyfin:10.9.11'],
      ['warning', 'docker2', 'paperless', 'gotenberg', 'service', 'ghcr.io/gethomepage/homepage:v0.9.10', null],
      ['warning', 'docker2', '-', 'scratchpad', 'container', 'ghcr.io/gethomepage/homepage:v0.9.10', null],
    ]));
    const secret = findings(r).find((x) => x.field === 'environment.POSTGRES_PASSWORD')!;
    expect(secret).toMatchObject({ severity: 'critical', host: 'docker2', project: 'paperless', service: 'db', running: expect.stringMatching(/^sha256:[0-9a-f]{12}$/), git: expect.stringMatching(/^sha256:[0-9a-f]{12}$/) });
    expect(findings(r)).toHaveLength(7);
    const report = (r.record!.data.drift as { report: { json: string; markdown: string } }).report;
    const md = await readFile(report.markdown, 'utf8');
    expect(md).toMatch(/^# Compose drift: 4 critical, 3 warning, 0 info/);
    expect(md).toMatch(/\| critical \| media \| sonarr \| image \| lscr.io\/linuxserver\/sonarr:5.0.0 \| lscr.io\/linuxserver\/sonarr:4.0.9 \| major version 4 in Git, 5 running \|/);
    expect(((await stat(report.json)).mode & 0o777).toString(8)).toBe('600');
    // neither side's secret anywhere: output, record, report
    for (const text of [r.stdout, r.stderr, JSON.stringify(r.record), md, await readFile(report.json, 'utf8')]) {
      expect(text).not.toContain('changed-by-hand-secret');
      expect(text).not.toContain('lab-paperless-db-password');
    }
    expect(lab.mutations).toEqual([]);
  });

  it('--host reads one host; a stopped service is critical', async () => {
    lab.faults.stopService('docker2', 'traefik');
    const r = await run(['compose:drift', '--host', 'docker2']);
    expect(r.code).toBe(1);
    expect(findings(r).every((x) => x.host === 'docker2')).toBe(true);
    expect(findings(r)).toContainEqual(expect.objectContaining({ severity: 'critical', project: 'proxy', service: 'traefik', field: 'state', running: 'exited' }));
    expect(r.stdout).toMatch(/critical\s+docker2\s+proxy\s+traefik\s+state\s+exited\s+running/);
  });

  it('a whole project of the host\'s sources that runs nowhere on it is critical', async () => {
    lab.faults.removeService('docker2', 'db');
    lab.faults.removeService('docker2', 'webserver');
    lab.faults.removeService('docker2', 'gotenberg'); // the orphan of an earlier test carried the project's labels
    const r = await run(['compose:drift', '--host', 'docker2']);
    expect(r.code).toBe(1);
    expect(findings(r)).toContainEqual({ host: 'docker2', project: 'paperless', service: '-', field: 'project', severity: 'critical', git: 'infra:stacks/paperless', message: 'in Git (infra:stacks/paperless), not running on docker2' });
  });

  it('bad input stops before any host is reached (exit 2): an unknown host, a source naming no repo, no compose section', async () => {
    const unknown = await run(['compose:drift', '--host', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--host: no host "nope" in .* compose\.hosts; expected one of docker1, docker2/);
    const text = await readFile(lab.configPath, 'utf8');
    try {
      await writeFile(lab.configPath, text.replace('{ repo: infra, repoPath: stacks', '{ repo: infrastructure, repoPath: stacks'));
      const bad = await run(['compose:drift']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/compose\.hosts\.docker2\.sources\.0\.repo: expected one of the repos \(apps, infra\), got "infrastructure"/);
      expect(bad.record?.commands.filter((c) => c.argv[0] === 'ssh') ?? []).toEqual([]);
      await writeFile(lab.configPath, 'clusters: {}\n');
      const none = await run(['compose:drift']);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no compose: hosts/);
    } finally {
      await writeFile(lab.configPath, text);
    }
  });
});
