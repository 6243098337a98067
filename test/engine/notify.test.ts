// --notify-on against a local receiver standing in for ntfy, Discord, Slack, a generic webhook and Alertmanager: a
// failing health:cluster tells every target what failed (the node and its reason) with the exit code unchanged; a
// target that cannot be reached is logged and recorded, never fatal; secrets (a webhook URL, an ntfy token) reach only
// their target, never the output or the record; a success is sent only with --notify-on always; no notify: targets is
// bad input (exit 2, nothing run).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

interface Got { path: string; headers: IncomingHttpHeaders; body: string }

describe('--notify-on', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let server: Server;
  let got: Got[] = [];
  let config: string;
  let dead = 0;
  const TOKEN = 'tk_0123456789secretntfytoken';
  const HOOK = 'discord-webhook-secret-4f1c9a';
  beforeAll(async () => {
    lab = await withLab();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { got.push({ path: req.url ?? '', headers: req.headers, body }); res.writeHead(req.url?.startsWith('/broken') ? 500 : 200).end('ok'); });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    lab.vault.set('op://homelab/ntfy/token', TOKEN);
    lab.vault.set('op://homelab/discord/webhook', `${base}/discord/${HOOK}`);
    // a port nothing listens on (fetch refuses well-known "bad ports" such as 1 before connecting)
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', () => ok()));
    dead = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    config = join(lab.dir, 'notify.yaml');
    await writeFile(config, `${await readFile(lab.configPath, 'utf8')}
notify:
  - { type: ntfy, url: ${base}/ntfy/homelab, token: op://homelab/ntfy/token }
  - { type: discord, url: op://homelab/discord/webhook }
  - { type: slack, url: ${base}/slack }
  - { type: webhook, url: ${base}/hook, headers: { X-Rackhand: lab } }
  - { type: alertmanager, url: ${base}/am }
  - { type: webhook, url: http://127.0.0.1:${dead}/dead }
`);
  });
  afterAll(async () => { server?.close(); await lab?.stop(); });

  it('a failing run tells every target what failed, keeps its exit code, and logs the target it could not reach', async () => {
    got = [];
    lab.faults.setNodeReady('w1', false);
    try {
      const r = await lab.run(['health:cluster', '--cluster', 'lab', '--config', config, '--notify-on', 'failure']);
      expect(r.code).toBe(1);
      const at = (p: string) => got.find((g) => g.path.startsWith(p))!;
      expect(at('/ntfy/homelab').headers.title).toBe('rackhand health:cluster FAILED (exit 1) on lab');
      expect(at('/ntfy/homelab').headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(at('/ntfy/homelab').body).toMatch(/^- nodes w1: not Ready/m);
      expect(JSON.parse(at(`/discord/${HOOK}`).body).content).toMatch(/^rackhand health:cluster FAILED \(exit 1\) on lab\n[\s\S]*nodes w1: not Ready/);
      expect(JSON.parse(at('/slack').body).text).toMatch(/nodes w1: not Ready/);
      const hook = JSON.parse(at('/hook').body);
      expect(at('/hook').headers['x-rackhand']).toBe('lab');
      expect(hook).toMatchObject({ task: 'health:cluster', cluster: 'lab', exitCode: 1, result: 'failed' });
      expect(hook.findings).toContainEqual(expect.objectContaining({ area: 'nodes', object: 'w1', status: 'fail' }));
      const [alert] = JSON.parse(at('/am/api/v2/alerts').body);
      expect(alert.labels).toEqual({ alertname: 'RackhandRunFailed', task: 'health:cluster', cluster: 'lab', severity: 'critical' });
      expect(alert.endsAt).toBeUndefined();
      expect(r.stderr).toContain(`notify webhook 127.0.0.1:${dead}: ECONNREFUSED`);
      expect(r.record!.notifications).toContainEqual({ type: 'webhook', target: `127.0.0.1:${dead}`, ok: false, error: 'ECONNREFUSED' });
      expect(r.record!.notifications!.filter((n) => n.ok).map((n) => n.type).sort()).toEqual(['alertmanager', 'discord', 'ntfy', 'slack', 'webhook']);
      const record = await readFile(r.recordPath!, 'utf8');
      for (const text of [r.stdout, r.stderr, record]) { expect(text).not.toContain(TOKEN); expect(text).not.toContain(HOOK); }
    } finally {
      lab.faults.setNodeReady('w1', true);
    }
  });

  it('a success is sent only with --notify-on always, and resolves the alert', async () => {
    got = [];
    const quiet = await lab.run(['health:cluster', '--cluster', 'lab', '--config', config, '--notify-on', 'failure']);
    expect(quiet.code).toBe(0);
    expect(got).toEqual([]);
    const loud = await lab.run(['health:cluster', '--cluster', 'lab', '--config', config, '--notify-on', 'always']);
    expect(loud.code).toBe(0);
    expect(got.find((g) => g.path === '/ntfy/homelab')!.headers.title).toBe('rackhand health:cluster succeeded on lab');
    expect(JSON.parse(got.find((g) => g.path === '/am/api/v2/alerts')!.body)[0].endsAt).toBe(loud.record!.finishedAt);
  });

  it('--notify-on without notify: targets, or with a bad value, is bad input: exit 2 and nothing runs', async () => {
    const none = await lab.run(['health:cluster', '--cluster', 'lab', '--notify-on', 'failure']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--notify-on: .*rackhand\.yaml has no notify: targets/);
    expect(none.record!.commands).toEqual([]);
    const bad = await lab.run(['health:cluster', '--cluster', 'lab', '--config', config, '--notify-on', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--notify-on/);
  });
});
