// The one quoting function for remote commands: every word comes back exactly as it left, through a real POSIX
// shell (what sshd runs a command with) and through the real ssh client and sshd of the k3s lab. The ssh argv never
// disables host key checking and keeps the user's global known_hosts out.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../lib/exec.ts';
import { remoteArgv, remoteCommand } from '../../lib/ssh/remote-command.ts';
import { Ssh } from '../../lib/tools/ssh.ts';
import { startLab, type Lab } from '../../lab/lab.ts';
import { fileURLToPath } from 'node:url';

const NASTY = ['plain', 'with space', "it's", '"double"', '$(touch /tmp/rackhand-pwned)', '`id`', 'a;b', 'x && y', '$HOME', '*', '', 'tab\there', 'new\nline', '\\back', '--flag=a b', '-n', 'ünï'];

const sh = (command: string) => new Promise<string>((ok, fail) => execFile('sh', ['-c', command], (e, out) => (e ? fail(e) : ok(out))));

describe('remoteCommand', () => {
  it('round-trips spaces, quotes, $(), backticks, ; and && through sh -c, in every argument and env value', async () => {
    const cmd = remoteCommand({ argv: ['printf', '%s\\n', ...NASTY] });
    expect(await sh(cmd)).toBe(NASTY.map((a) => `${a}\n`).join(''));
    const withEnv = remoteCommand({ argv: ['sh', '-c', 'printf "%s\\n" "$V"'], env: { V: "a b;$(x)'q'" } });
    expect(await sh(withEnv)).toBe("a b;$(x)'q'\n");
  });

  it('puts sudo -n first and env as arguments; refuses an env name that is not one', () => {
    expect(remoteArgv({ argv: ['sh', 'f'], env: { A: '1' }, sudo: true })).toEqual(['sudo', '-n', 'env', 'A=1', 'sh', 'f']);
    expect(() => remoteArgv({ argv: ['x'], env: { 'A;rm': '1' } })).toThrow(/not an environment variable name/);
  });

  it('ssh argv: BatchMode, strict host keys against the managed file only, accept-new only when asked', () => {
    const t = { name: 'n1', address: '10.0.0.1', port: 2222, user: 'ubuntu', key: '/k', knownHosts: '/state/known_hosts' };
    const argv = new Ssh(new Executor({ env: {} })).argv(t, { argv: ['true'] });
    expect(argv).toContain('StrictHostKeyChecking=yes');
    expect(argv).toContain('UserKnownHostsFile=/state/known_hosts');
    expect(argv).toContain('GlobalKnownHostsFile=/dev/null');
    expect(argv).toContain('BatchMode=yes');
    expect(argv.join(' ')).not.toMatch(/StrictHostKeyChecking=no/);
    expect(argv.slice(-3)).toEqual(['--', '10.0.0.1', 'true']);
    const learn = new Ssh(new Executor({ env: {} }), { acceptNewHostKey: true }).argv(t, { argv: ['true'] });
    expect(learn).toContain('StrictHostKeyChecking=accept-new');
  });

  it('a login that is not root runs root commands through sudo -n; root needs none', () => {
    const ssh = new Ssh(new Executor({ env: {} }));
    const t = { name: 'n1', address: '10.0.0.1', knownHosts: '/kh' };
    expect(ssh.needsSudo({ ...t, user: 'ubuntu' })).toBe(true);
    expect(ssh.needsSudo({ ...t, user: 'root' })).toBe(false);
    expect(remoteCommand({ argv: ['k3s', 'etcd-snapshot', 'save'], sudo: ssh.needsSudo({ ...t, user: 'ubuntu' }) })).toBe('sudo -n k3s etcd-snapshot save');
  });
});

describe('remote commands through the real ssh and sshd of the k3s lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ topology: fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url)), rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });

  const target = () => ({ name: 's1', address: '127.0.0.1', port: lab.k3s!.sshd.get('s1')!.port, user: lab.k3s!.user, key: lab.k3s!.clientKey, knownHosts: lab.k3s!.knownHosts });

  it('the node receives exactly the words that were sent; stdin carries a secret that never appears in argv or the journal', async () => {
    const exec = new Executor({ env: process.env });
    const ssh = new Ssh(exec);
    const r = await ssh.ok(target(), ['printf', '%s\\n', ...NASTY]);
    expect(r.stdout).toBe(NASTY.map((a) => `${a}\n`).join(''));
    const secret = 'tok-3f9c2a71-never-in-argv';
    exec.registerSecret(secret);
    await ssh.ok(target(), ['install', '-D', '-m', '600', '/dev/stdin', '/tmp/rackhand-test/token'], { input: `${secret}\n` });
    expect(lab.k3s!.host('s1').read('/tmp/rackhand-test/token').toString()).toBe(`${secret}\n`);
    expect(JSON.stringify(exec.journal)).not.toContain(secret);
    expect(exec.journal.every((j) => !j.argv.join(' ').includes(secret))).toBe(true);
  });

  it('an unknown host key is refused (no silent trust); a changed one is named as such', async () => {
    const exec = new Executor({ env: process.env });
    const t = { ...target(), knownHosts: `${lab.dir}/empty_known_hosts` };
    const err = await new Ssh(exec).run(t, ['true']).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/no host key for .*127\.0\.0\.1 port \d+ in .*empty_known_hosts/);
    // learn it with accept-new, then present another key for the same host:port
    await new Ssh(exec, { acceptNewHostKey: true }).ok(t, ['true']);
    const { writeFile, readFile } = await import('node:fs/promises');
    const learned = await readFile(t.knownHosts, 'utf8');
    expect(learned).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /m);
    const other = lab.k3s!.sshd.get('a1')!.hostKey.split(' ').slice(0, 2).join(' ');
    await writeFile(t.knownHosts, `[127.0.0.1]:${t.port} ${other}\n`);
    const changed = await new Ssh(exec, { acceptNewHostKey: true }).run(t, ['true']).catch((e: Error) => e);
    expect((changed as Error).message).toMatch(/host key of .* is not the one in/);
  });

  it('a node whose sudo wants a password answers as sudo(8) does, and K3sNodes.reachable names the sudoers fix', async () => {
    const { runNodeShell } = await import('../../lab/k3s/shell.ts');
    lab.faults.sudoPassword('s1');
    const r = await runNodeShell(lab.k3s!.world, lab.k3s!.host('s1'), { command: 'sudo -n true', stdin: Buffer.alloc(0), user: 'ubuntu' });
    expect(r).toMatchObject({ exitCode: 1, stderr: 'sudo: a password is required\n' });
    lab.faults.clearFaults();
  });

  it('shell syntax that would need a remote shell never reaches a node unquoted (the lab node refuses it)', async () => {
    const exec = new Executor({ env: process.env });
    const t = target();
    // hand-built strings would be how a quoting bug looks: the lab refuses them with exit 2
    const r = await exec.run(['ssh', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${t.knownHosts}`, '-i', t.key, '-p', String(t.port), '-l', t.user, '127.0.0.1', 'echo $(id); ls'], { mutating: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/does not expand variables|shell syntax/);
  });
});
