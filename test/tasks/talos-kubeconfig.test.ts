// talos:kubeconfig: a kubeconfig that matches rackhand.yaml and whose client certificate is fresh is left alone; one
// whose certificate expires within --renew-within is fetched again from a control plane (talosctl kubeconfig --force
// under the configured context name), ends up mode 0600 and is identity-checked; --force always fetches.
import { execFile } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

/** a self-signed client certificate valid for `days` days (openssl is part of every Debian base system) */
async function certValidFor(days: number): Promise<string> {
  const { stdout } = await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=admin', '-days', String(days)]);
  return Buffer.from(stdout).toString('base64');
}

describe('talos:kubeconfig', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: FLUX }); });
  afterAll(async () => { await lab?.stop(); });
  const fetched = () => lab.events.filter((e) => e.type === 'talos-kubeconfig').length;
  const withCert = async (days: number) => {
    const k = parse(await readFile(lab.kubeconfigPath, 'utf8'));
    const ctx = k.contexts.find((c: { name: string }) => c.name === k['current-context']);
    const user = k.users.find((u: { name: string }) => u.name === ctx.context.user);
    user.user['client-certificate-data'] = await certValidFor(days);
    await writeFile(lab.kubeconfigPath, stringify(k));
    await chmod(lab.kubeconfigPath, 0o600);
  };

  it('leaves a matching kubeconfig with a fresh certificate alone and says when it expires', async () => {
    await withCert(300);
    const before = fetched();
    const r = await lab.run(['talos:kubeconfig', '--cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(fetched()).toBe(before);
    expect(r.record!.steps[0]!.status).toBe('skipped');
    expect(r.stdout).toMatch(/client certificate of \S+ expires \d{4}-\d\d-\d\dT.* \(in (299|300)d/);
  });

  it('fetches again when the certificate expires within --renew-within, or with --force; the file stays 0600 and matches', async () => {
    await withCert(5);
    const before = fetched();
    const r = await lab.run(['talos:kubeconfig', '--cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(fetched()).toBe(before + 1);
    expect(r.record!.commands.some((c) => c.argv.includes('kubeconfig') && c.argv.includes('--force-context-name'))).toBe(true);
    expect((await stat(lab.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const again = await lab.run(['talos:kubeconfig', '--cluster', 'lab', '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect(fetched()).toBe(before + 2);
  });
});
