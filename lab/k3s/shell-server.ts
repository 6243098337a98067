// The lab side of lab/ssh/node-shell.sh: a TCP server on 127.0.0.1 that reads four lines (node, user, command and
// stdin, the last two base64) and answers three (exit code, stdout and stderr base64). One connection per ssh
// session; a long command (an install that waits for k3s to restart) simply holds it open.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export type NodeShellHandler = (req: { node: string; user: string; command: string; stdin: Buffer }) => Promise<{ stdout: string; stdoutBase64?: string; stderr: string; exitCode: number }>;

export async function startShellServer(handle: NodeShellHandler): Promise<{ port: number; stop(): Promise<void> }> {
  const server: Server = createServer((sock) => {
    let buf = '';
    let done = false;
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      if (done) return;
      buf += chunk;
      const lines = buf.split('\n');
      if (lines.length < 5) return; // four complete lines
      done = true;
      const [node = '', user = '', cmd = '', input = ''] = lines;
      void handle({ node, user, command: Buffer.from(cmd, 'base64').toString('utf8'), stdin: Buffer.from(input, 'base64') })
        .catch((err: Error) => ({ stdout: '', stderr: `lab node ${node}: ${err.message}\n`, exitCode: 255 }))
        .then((r: { stdout: string; stdoutBase64?: string; stderr: string; exitCode: number }) => {
          const out = r.stdoutBase64 ?? Buffer.from(r.stdout).toString('base64');
          sock.end(`${r.exitCode}\n${out}\n${Buffer.from(r.stderr).toString('base64')}\n`);
        });
    });
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', () => ok()); });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((ok) => { server.close(() => ok()); }),
  };
}
