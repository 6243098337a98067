// talos:schematic, talos:download-image and talos:generate-iso against a stand-in Image Factory (a local HTTP server
// answering POST /schematics and GET /image/<schematic>/<version>/<file>): the offline id and the factory's agree for a
// known schematic (the factory's own id for qemu-guest-agent, test/lib/schematic.test.ts), an image lands with its
// .sha256 and is not fetched twice, a wrong checksum keeps nothing, and an unreachable factory names the URL.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const QEMU_ID = 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515';
const ISO = Buffer.from('lab ISO bytes: not a real image\n'.repeat(1000));

describe('Image Factory tasks', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let factory: Server;
  let base = '';
  const gets: string[] = [];
  beforeAll(async () => {
    lab = await withLab();
    factory = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/schematics') {
        let body = '';
        req.on('data', (c) => (body += c)).on('end', () => {
          const id = body.includes('siderolabs/qemu-guest-agent') && !body.includes('secureboot') ? QEMU_ID : 'f'.repeat(64);
          res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
        });
        return;
      }
      gets.push(req.url ?? '');
      if (req.url === `/image/${QEMU_ID}/v1.12.1/metal-amd64.iso`) return void res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(ISO);
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((ok) => factory.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(factory.address() as AddressInfo).port}`;
    await writeFile(join(lab.dir, 'schematic.yaml'), 'customization:\n  systemExtensions:\n    officialExtensions:\n      - siderolabs/qemu-guest-agent\n');
    await writeFile(join(lab.dir, 'secureboot.yaml'), 'customization:\n  systemExtensions:\n    officialExtensions: [siderolabs/qemu-guest-agent]\n  secureboot: {includeWellKnownCertificates: true}\n');
  });
  afterAll(async () => { await lab?.stop(); factory?.close(); });

  it('talos:schematic: the id offline, the same id from the factory on --upload; a field the offline hash lacks needs --upload', async () => {
    const offline = await lab.run(['talos:schematic', 'schematic.yaml', '--version', 'v1.12.1']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain(`schematic: ${QEMU_ID}`);
    expect(offline.stdout).toContain(`iso:       https://factory.talos.dev/image/${QEMU_ID}/v1.12.1/metal-amd64.iso`);
    const up = await lab.run(['talos:schematic', 'schematic.yaml', '--upload', '--factory', base]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.record!.data).toMatchObject({ schematic: QEMU_ID, offlineId: QEMU_ID });
    const unknown = await lab.run(['talos:schematic', 'secureboot.yaml']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('customization.secureboot are not hashed offline');
    expect(unknown.stderr).toContain('--upload');
    const asked = await lab.run(['talos:schematic', 'secureboot.yaml', '--upload', '--factory', base]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.record!.data.schematic).toBe('f'.repeat(64));
  });

  it('talos:generate-iso downloads the ISO with its .sha256, does not fetch it twice, and keeps nothing on a checksum mismatch', async () => {
    const args = ['--version', 'v1.12.1', '--schematic', QEMU_ID, '--factory', base, '--out', lab.dir];
    const r = await lab.run(['talos:generate-iso', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const iso = join(lab.dir, 'metal-amd64.iso');
    const sum = createHash('sha256').update(ISO).digest('hex');
    expect((await readFile(iso)).equals(ISO)).toBe(true);
    expect(await readFile(`${iso}.sha256`, 'utf8')).toBe(`${sum}  metal-amd64.iso\n`);
    const again = await lab.run(['talos:generate-iso', ...args]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.steps[0]!.status).toBe('skipped');
    expect(gets.filter((g) => g.endsWith('.iso'))).toHaveLength(1);
    const wrong = await lab.run(['talos:download-image', ...args, '--out', join(lab.dir, 'x'), '--sha256', '0'.repeat(64)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`has sha256 ${sum}, expected ${'0'.repeat(64)}: not kept`);
    expect(existsSync(join(lab.dir, 'x', 'metal-amd64.iso'))).toBe(false);
  });

  it('--offline prints the URL; an unreachable factory fails naming the URL to fetch elsewhere', async () => {
    const off = await lab.run(['talos:download-image', '--version', 'v1.12.1', '--offline']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^https:\/\/factory\.talos\.dev\/image\/[0-9a-f]{64}\/v1\.12\.1\/metal-amd64\.iso$/m);
    // a port nothing listens on (taken, then freed)
    const closed = await new Promise<number>((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => ok(p)); }); });
    const down = await lab.run(['talos:download-image', '--version', 'v1.12.1', '--factory', `http://127.0.0.1:${closed}`, '--out', join(lab.dir, 'elsewhere')]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('ECONNREFUSED');
    expect(down.stderr).toContain(`curl -fLO http://127.0.0.1:${closed}/image/`);
  });
});
