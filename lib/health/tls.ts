// A real TLS handshake to every host an Ingress (networking.k8s.io/v1: spec.rules[].host, spec.tls[].hosts; address
// from status.loadBalancer.ingress[].ip|hostname and its ports[] when given) or an HTTPRoute (gateway.networking.k8s.io/v1
// spec.hostnames; address from its parent Gateway's status.addresses[] and the port of its HTTPS listener) serves:
// the chain verified against the system roots plus the operator's own CA, the certificate's expiry, the host name
// (tls.checkServerIdentity) and the protocol (TLS 1.2 or newer). The connection goes to the load balancer's address
// with the host as SNI, so no DNS is needed.
import { readFile } from 'node:fs/promises';
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from 'node:tls';
import type { TaskContext } from '../engine/types.ts';
import { formatDuration } from '../patterns.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { fail, ok, warn, type Finding } from './findings.ts';

interface Target { host: string; address: string; port: number; via: string }
type LbIngress = { ip?: string; hostname?: string; ports?: { port: number }[] };
type Ingress = KubeObject<{ rules?: { host?: string }[]; tls?: { hosts?: string[] }[] }, { loadBalancer?: { ingress?: LbIngress[] } }>;
type Route = KubeObject<{ hostnames?: string[]; parentRefs?: { name: string; namespace?: string; sectionName?: string }[] }>;
type Gateway = KubeObject<{ listeners?: { name: string; protocol: string; port: number; hostname?: string }[] }, { addresses?: { value: string }[] }>;

export async function tlsTargets(ctx: TaskContext): Promise<{ targets: Target[]; skipped: Finding[] }> {
  const targets: Target[] = [];
  const skipped: Finding[] = [];
  for (const i of (await ctx.kubectl.listServed<Ingress>('ingresses.networking.k8s.io', { allNamespaces: true })) ?? []) {
    const tlsHosts = new Set((i.spec?.tls ?? []).flatMap((t) => t.hosts ?? []));
    const hosts = [...new Set([...tlsHosts, ...(i.spec?.rules ?? []).map((r) => r.host).filter((h): h is string => !!h && tlsHosts.has(h))])];
    const lb = i.status?.loadBalancer?.ingress?.[0];
    const address = lb?.ip ?? lb?.hostname;
    const via = `Ingress ${i.metadata.namespace}/${i.metadata.name}`;
    if (!hosts.length) continue;
    if (!address) { skipped.push(warn('tls', via, `no load balancer address in its status: ${hosts.join(', ')} not checked`)); continue; }
    for (const host of hosts) targets.push({ host, address, port: lb?.ports?.[0]?.port ?? 443, via });
  }
  const routes = (await ctx.kubectl.listServed<Route>('httproutes.gateway.networking.k8s.io', { allNamespaces: true })) ?? [];
  if (routes.length) {
    const gateways = (await ctx.kubectl.listServed<Gateway>('gateways.gateway.networking.k8s.io', { allNamespaces: true })) ?? [];
    for (const r of routes) {
      const via = `HTTPRoute ${r.metadata.namespace}/${r.metadata.name}`;
      for (const p of r.spec?.parentRefs ?? []) {
        const g = gateways.find((x) => x.metadata.name === p.name && x.metadata.namespace === (p.namespace ?? r.metadata.namespace));
        const https = (g?.spec?.listeners ?? []).filter((l) => l.protocol === 'HTTPS' && (!p.sectionName || l.name === p.sectionName));
        const address = g?.status?.addresses?.[0]?.value;
        if (!g || !https.length || !address) { if (g && https.length) skipped.push(warn('tls', via, `Gateway ${g.metadata.namespace}/${g.metadata.name} has no address in its status`)); continue; }
        for (const host of r.spec?.hostnames ?? []) targets.push({ host, address, port: https[0]!.port, via });
      }
    }
  }
  const seen = new Set<string>();
  return { targets: targets.filter((t) => { const k = `${t.host}@${t.address}:${t.port}`; if (seen.has(k)) return false; seen.add(k); return true; }), skipped };
}

interface Handshake { cert?: PeerCertificate; protocol?: string | null; authorized: boolean; authorizationError?: string; error?: string }

function handshake(t: Target, ca: string[], timeoutMs: number): Promise<Handshake> {
  return new Promise((done) => {
    // rejectUnauthorized false: the handshake completes so the certificate can be reported; trust is judged from
    // socket.authorized/authorizationError (node:tls TLSSocket); minVersion TLSv1 and OpenSSL security level 0 so an
    // old server is seen and named, not refused (nothing but the handshake is sent)
    const s = connect({ host: t.address, port: t.port, servername: t.host, ca, rejectUnauthorized: false, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', timeout: timeoutMs });
    const end = (h: Handshake) => { s.destroy(); done(h); };
    s.once('secureConnect', () => end({ cert: s.getPeerCertificate(), protocol: s.getProtocol(), authorized: s.authorized, ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}) }));
    s.once('timeout', () => end({ authorized: false, error: `no TLS handshake within ${timeoutMs / 1000} s` }));
    s.once('error', (err: NodeJS.ErrnoException) => end({ authorized: false, error: err.code ?? err.message }));
  });
}

export async function tlsFindings(ctx: TaskContext, o: { warnMs: number; caFile?: string; timeoutMs?: number }, now = Date.now()): Promise<Finding[]> {
  const { targets, skipped } = await tlsTargets(ctx);
  if (!targets.length && !skipped.length) return [ok('tls', 'endpoints', 'no Ingress or HTTPRoute host with TLS')];
  const ca = [...rootCertificates, ...(o.caFile ? [await readFile(o.caFile, 'utf8')] : [])];
  const out = [...skipped];
  await Promise.all(targets.map(async (t) => {
    const name = `${t.host} (${t.via})`;
    const h = await handshake(t, ca, o.timeoutMs ?? 10_000);
    if (!h.cert || h.error) { out.push(fail('tls', name, `no TLS handshake with ${t.address}:${t.port}: ${h.error ?? 'no certificate'}`)); return; }
    const problems: string[] = [];
    const expires = Date.parse(h.cert.valid_to);
    if (h.protocol && !/^TLSv1\.[23]$/.test(h.protocol)) problems.push(`protocol ${h.protocol}: expected TLS 1.2 or newer`);
    const hostError = checkServerIdentity(t.host, h.cert);
    if (hostError) problems.push(`certificate is not for ${t.host} (${h.cert.subjectaltname ?? h.cert.subject?.CN ?? 'no names'})`);
    if (expires < now) problems.push(`certificate expired ${new Date(expires).toISOString()}`);
    else if (!h.authorized) problems.push(`chain not trusted: ${h.authorizationError}${o.caFile ? '' : ' (a private CA: health.tlsCa in rackhand.yaml)'}`);
    if (problems.length) { out.push(fail('tls', name, problems.join('; '))); return; }
    const left = expires - now;
    out.push(left < o.warnMs ? warn('tls', name, `certificate expires ${new Date(expires).toISOString()} (in ${formatDuration(left)}), issuer ${h.cert.issuer?.CN ?? '?'}`)
      : ok('tls', name, `${h.protocol}, trusted, valid until ${new Date(expires).toISOString()}`));
  }));
  return out;
}
