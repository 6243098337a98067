// TLS endpoints for the lab's Ingresses: a lab CA (made once per lab) signs a server certificate for the hosts asked
// for, valid for the days asked for, and an https server on 127.0.0.1 serves it (an Ingress controller's load
// balancer, as health:cluster reaches it). Certificates are made with the machine's openssl (req/x509), as an operator
// would make a private CA.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsEndpoint { port: number; caFile: string; close(): Promise<void> }
export interface LabTls {
  /** an https server for `hosts` whose certificate is valid for `days` more days (`selfSigned`: not signed by the lab
   *  CA; `maxVersion`: the newest TLS version it speaks, e.g. TLSv1.1) */
  endpoint(o: { hosts: string[]; days: number; selfSigned?: boolean; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' }): Promise<TlsEndpoint>;
  /** the lab CA's certificate file (PEM) */
  caFile(): Promise<string>;
  stop(): Promise<void>;
}

export function labTls(dir: string): LabTls {
  const base = join(dir, 'tls');
  const servers: Server[] = [];
  let ca: Promise<string> | undefined;
  let n = 0;
  const makeCa = () => (ca ??= (async () => {
    await mkdir(base, { recursive: true });
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(base, 'ca.key'), '-out', join(base, 'ca.pem'), '-days', '3650', '-subj', '/CN=rackhand lab CA']);
    return join(base, 'ca.pem');
  })());
  return {
    caFile: makeCa,
    async endpoint(o) {
      const caPem = await makeCa();
      const id = `srv${++n}`;
      const key = join(base, `${id}.key`);
      const crt = join(base, `${id}.pem`);
      const ext = join(base, `${id}.ext`);
      await writeFile(ext, `subjectAltName=${o.hosts.map((h) => `DNS:${h}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
      if (o.selfSigned) {
        await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', String(o.days), '-subj', `/CN=${o.hosts[0]}`, '-addext', `subjectAltName=${o.hosts.map((h) => `DNS:${h}`).join(',')}`]);
      } else {
        const csr = join(base, `${id}.csr`);
        await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${o.hosts[0]}`]);
        await run('openssl', ['x509', '-req', '-in', csr, '-CA', caPem, '-CAkey', join(base, 'ca.key'), '-CAcreateserial', '-out', crt, '-days', String(o.days), '-extfile', ext]);
      }
      const server = createServer({ key: await readFile(key), cert: await readFile(crt), ...(o.maxVersion ? { maxVersion: o.maxVersion, minVersion: 'TLSv1' as const, ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) }, (_req, res) => { res.writeHead(200).end('ok'); });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
      servers.push(server);
      return { port: (server.address() as AddressInfo).port, caFile: caPem, close: () => new Promise<void>((ok) => server.close(() => ok())) };
    },
    stop: async () => { await Promise.all(servers.map((s) => new Promise<void>((ok) => { s.closeAllConnections(); s.close(() => ok()); }))); },
  };
}
