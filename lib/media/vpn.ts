// media:vpn-check's checks. The download client's public address three ways: what Gluetun's control server found
// through the tunnel (/v1/publicip/ip public_ip; /v1/vpn/status status running|stopped|...; /v1/portforward port:
// qdm12/gluetun-wiki setup/advanced/control-server.md), what qBittorrent's peers report (/api/v2/transfer/info
// last_external_address_v4, qBittorrent >= 5.1) and what an IP echo answers from inside the download pod (busybox wget
// in the VPN container, which shares the pod's network namespace). The cluster's own egress comes from a throwaway
// Job's wget. A download address equal to the cluster's is a leak.
import { randomBytes } from 'node:crypto';
import type { TaskContext } from '../engine/types.ts';
import { fail, ok, warn, type Finding } from '../health/findings.ts';
import { waitJobEnd } from '../k8s/job-end.ts';
import { RESTRICTED_CONTAINER, RESTRICTED_POD, SMALL } from '../k8s/restricted.ts';
import { servicePods } from './keys.ts';
import { isArr, type MediaStack } from './stack.ts';

const VPN_CONTAINER = /gluetun|wireguard|openvpn|vpn/i;
type Pod = Awaited<ReturnType<typeof servicePods>>[number];
const vpnContainer = (p: Pod) => p.spec?.containers.find((c) => VPN_CONTAINER.test(c.image ?? '') || VPN_CONTAINER.test(c.name));
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** wget -qO- in a container: the address the echo answers, or why not */
async function echoFrom(ctx: TaskContext, ns: string, pod: string, container: string, url: string): Promise<{ ip?: string; error?: string }> {
  const r = await ctx.kubectl.execIn(ns, pod, container, ['wget', '-qO-', '-T', '10', url]);
  const ip = r.stdout.trim();
  return r.exitCode === 0 && IPV4.test(ip) ? { ip } : { error: (r.stderr || r.stdout).trim().split('\n').pop() || `exit ${r.exitCode}` };
}

export const egressJobName = () => `rackhand-egress-${randomBytes(3).toString('hex')}`;
export const deleteEgressJob = (ctx: TaskContext, ns: string, name: string) =>
  // foreground: the pod goes with the Job
  ctx.kubectl.mutate(['delete', 'job', name, '--namespace', ns, '--ignore-not-found', '--cascade=foreground', '--wait=false']);

/** the cluster's egress address: a Job with busybox wget (deleted afterwards; the caller's step declares the same
 *  deletion as its cleanup, and activeDeadlineSeconds/ttlSecondsAfterFinished end it even if rackhand is killed) */
export async function clusterEgress(ctx: TaskContext, ns: string, name: string, image: string, url: string, timeoutMs: number): Promise<{ ip?: string; error?: string }> {
  const job = {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
    spec: {
      backoffLimit: 0, activeDeadlineSeconds: 120, ttlSecondsAfterFinished: 300,
      template: { metadata: { labels: { 'app.kubernetes.io/managed-by': 'rackhand' } }, spec: {
        restartPolicy: 'Never', securityContext: RESTRICTED_POD,
        containers: [{ name: 'egress', image, command: ['wget', '-qO-', '-T', '10', url], securityContext: RESTRICTED_CONTAINER, resources: SMALL }],
      } },
    },
  };
  const k = ctx.kubectl;
  try {
    await k.apply(job);
    const end = (await waitJobEnd(ctx, { namespace: ns, name, what: 'egress Job', timeoutMs, intervalMs: 300 })).type;
    const log = (await k.read(['logs', `job/${name}`, '--namespace', ns]).catch(() => '')).trim();
    return end === 'Complete' && IPV4.test(log) ? { ip: log } : { error: log.split('\n').pop() || 'the Job failed' };
  } finally {
    await deleteEgressJob(ctx, ns, name).catch(() => undefined);
  }
}

export async function vpnFindings(ctx: TaskContext, stack: MediaStack, o: { ipEcho: string; image: string; timeoutMs: number; job: { namespace: string; name: string } }): Promise<Finding[]> {
  const out: Finding[] = [];
  const g = stack.of('gluetun')[0];
  const q = stack.of('qbittorrent')[0];
  let vpnIp: string | undefined;
  if (g) {
    const st = (await stack.call(g, 'GET', '/v1/vpn/status')).body?.status as string | undefined;
    out.push(st === 'running' ? ok('vpn', 'status', `Gluetun's VPN is running (${g.endpoint.where})`) : fail('vpn', 'status', `Gluetun's VPN is ${st ?? 'not answering'}: expected running`));
    vpnIp = ((await stack.call(g, 'GET', '/v1/publicip/ip')).body?.public_ip as string | undefined) || undefined;
    out.push(vpnIp ? ok('vpn', 'public ip', `Gluetun exits at ${vpnIp}`) : fail('vpn', 'public ip', 'Gluetun knows no public IP: the tunnel is not up'));
  } else out.push(warn('vpn', 'gluetun', 'no gluetun service in media.services: the VPN status is not checked'));
  let peersSee: string | undefined;
  let qPods: Pod[] = [];
  if (q) {
    peersSee = ((await stack.call(q, 'GET', '/api/v2/transfer/info')).body?.last_external_address_v4 as string | undefined) || undefined;
    const prefs = (await stack.call(q, 'GET', '/api/v2/app/preferences')).body as { current_network_interface?: string; listen_port?: number } | undefined;
    if (prefs && !prefs.current_network_interface) out.push(warn('vpn', 'interface', 'qBittorrent is not bound to a network interface (Advanced > Network interface): expected the VPN\'s (tun0 or wg0)'));
    if (g && prefs?.listen_port) {
      const fwd = (await stack.call(g, 'GET', '/v1/portforward')).body?.port as number | undefined;
      if (fwd && fwd !== prefs.listen_port) out.push(warn('vpn', 'port forward', `qBittorrent listens on ${prefs.listen_port} but the VPN forwards ${fwd}: expected the same port`));
    }
    if (q.endpoint.service) qPods = await servicePods(ctx, q.endpoint.service.namespace, q.endpoint.service.name);
  }
  // the download pod shares the VPN container's network namespace only if the container is in that pod
  const qPod = qPods[0];
  const vc = qPod && vpnContainer(qPod);
  if (qPod) out.push(vc ? ok('vpn', 'network namespace', `qBittorrent's pod ${qPod.metadata.name} runs ${vc.name}: it shares the VPN's network`) : fail('vpn', 'network namespace', `qBittorrent's pod ${qPod.metadata.name} has no VPN container: its traffic does not go through the VPN`));
  for (const s of stack.services.filter((x) => (isArr(x.kind) || ['jellyfin', 'plex', 'jellyseerr', 'overseerr', 'prowlarr'].includes(x.kind)) && x.endpoint.service)) {
    const [p] = await servicePods(ctx, s.endpoint.service!.namespace, s.endpoint.service!.name);
    const c = p && vpnContainer(p);
    if (c) out.push(warn('vpn', 'media servers', `${s.name}'s pod ${p!.metadata.name} runs ${c.name}: only download clients should use the VPN`));
  }
  const home = ctx.dryRun ? { error: 'not run under --dry-run' } : await clusterEgress(ctx, o.job.namespace, o.job.name, o.image, o.ipEcho, o.timeoutMs);
  out.push(home.ip ? ok('vpn', 'cluster egress', `other pods exit at ${home.ip}`) : warn('vpn', 'cluster egress', `unknown (${home.error}): the leak checks below compare with nothing`));
  const dl = qPod && vc ? await echoFrom(ctx, qPod.metadata.namespace!, qPod.metadata.name, vc.name, o.ipEcho) : undefined;
  if (dl?.ip) out.push(ok('vpn', 'download egress', `the download pod exits at ${dl.ip}`));
  else if (dl) out.push((vpnIp ? warn : ok)('vpn', 'download egress', `nothing leaves the download pod (${dl.error})${vpnIp ? '' : ': the VPN\'s firewall holds while the tunnel is down'}`));
  if (home.ip) {
    const leaks = [
      dl?.ip === home.ip ? `the download pod exits at ${dl.ip}` : '',
      peersSee === home.ip ? `qBittorrent's peers see ${peersSee}` : '',
      vpnIp === home.ip ? `Gluetun's public IP is ${vpnIp}` : '',
    ].filter(Boolean);
    out.push(leaks.length ? fail('vpn', 'LEAK', `download traffic leaves with the home address ${home.ip}: ${leaks.join('; ')}`) : ok('vpn', 'leak', `no download address equals the home address ${home.ip}`));
  }
  if (vpnIp && dl?.ip && dl.ip !== vpnIp && dl.ip !== home.ip) out.push(warn('vpn', 'download egress', `the download pod exits at ${dl.ip}, not at Gluetun's ${vpnIp}`));
  return out;
}
