// The certificates in a talosconfig (pkg/machinery/client/config: contexts.<name>.{ca, crt, key}, base64 PEM) checked
// against the cluster's machine CA (talhelper's talsecret certs.os.crt, or a machine config's machine.ca.crt: both
// base64 PEM): the same CA, a client certificate it issued and signed, not expired, with an admin role. Talos carries
// a client's roles in its certificate's Organization (talos.dev docs "Role-based access control": os:admin,
// os:operator, os:reader, os:etcd:backup).
import { X509Certificate } from 'node:crypto';

export interface CertCheck { name: string; ok: boolean; message: string; warning?: boolean }

export function certFromBase64(b64: string | undefined, what: string): X509Certificate {
  if (!b64) throw new Error(`${what}: missing`);
  try {
    return new X509Certificate(Buffer.from(b64, 'base64'));
  } catch {
    throw new Error(`${what}: not a PEM certificate`);
  }
}

const fp = (c: X509Certificate) => c.fingerprint256.replace(/:/g, '').slice(0, 16).toLowerCase();

export function checkClientCerts(o: { ca: string | undefined; crt: string | undefined; machineCa: string; machineCaFrom: string; warnWithinMs: number; now?: number }): CertCheck[] {
  const now = o.now ?? Date.now();
  const out: CertCheck[] = [];
  const attempt = (name: string, f: () => Omit<CertCheck, 'name'>) => {
    try { out.push({ name, ...f() }); } catch (err) { out.push({ name, ok: false, message: (err as Error).message }); }
  };
  let machine: X509Certificate | undefined;
  attempt('machine CA readable', () => { machine = certFromBase64(o.machineCa, o.machineCaFrom); return { ok: true, message: `${o.machineCaFrom}: ${machine.subject.replace(/\n/g, ', ') || '(no subject)'}, sha256 ${fp(machine)}…` }; });
  attempt('talosconfig CA is the machine CA', () => {
    const ca = certFromBase64(o.ca, 'talosconfig ca');
    if (!machine) return { ok: false, message: 'no machine CA to compare with' };
    return ca.fingerprint256 === machine.fingerprint256 ? { ok: true, message: `sha256 ${fp(ca)}…` } : { ok: false, message: `talosconfig trusts CA ${fp(ca)}…, the machines use ${fp(machine)}… (rotated CA?)` };
  });
  attempt('client certificate issued by the machine CA', () => {
    const crt = certFromBase64(o.crt, 'talosconfig crt');
    if (!machine) return { ok: false, message: 'no machine CA to check against' };
    return crt.checkIssued(machine) && crt.verify(machine.publicKey) ? { ok: true, message: `signed by ${fp(machine)}…` } : { ok: false, message: 'the client certificate was not signed by the machine CA: the nodes will refuse it' };
  });
  attempt('client certificate valid', () => {
    const crt = certFromBase64(o.crt, 'talosconfig crt');
    const from = Date.parse(crt.validFrom);
    const to = Date.parse(crt.validTo);
    if (now < from) return { ok: false, message: `not valid before ${new Date(from).toISOString()}` };
    if (now > to) return { ok: false, message: `expired ${new Date(to).toISOString()}` };
    const days = Math.floor((to - now) / 86_400_000);
    return to - now < o.warnWithinMs ? { ok: true, warning: true, message: `expires ${new Date(to).toISOString()} (in ${days} days): rotate it soon` } : { ok: true, message: `until ${new Date(to).toISOString()} (${days} days)` };
  });
  attempt('client certificate has an admin role', () => {
    const crt = certFromBase64(o.crt, 'talosconfig crt');
    const roles = [...crt.subject.matchAll(/^O=(.*)$/gm)].map((m) => m[1]!);
    return roles.includes('os:admin') ? { ok: true, message: roles.join(', ') } : { ok: true, warning: true, message: `roles ${roles.join(', ') || '(none)'}: not os:admin, so upgrades and resets will be refused` };
  });
  return out;
}
