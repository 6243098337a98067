// Whether a host:port that one app is configured with reaches another app of the lab stack: Kubernetes Service DNS
// names (name, name.ns, name.ns.svc, name.ns.svc.cluster.local) with the Service's port.
import type { MediaWorld } from './world.js';

export const SERVICE_PORTS: Record<string, number> = { sonarr: 8989, radarr: 7878, lidarr: 8686, prowlarr: 9696, qbittorrent: 8080, jellyfin: 8096, plex: 32400, jellyseerr: 5055 };

export function serviceOf(world: MediaWorld, host: string, port: number): string | undefined {
  const h = host.toLowerCase().replace(/\.svc\.cluster\.local$|\.svc$/, '').replace(new RegExp(`\\.${world.namespace}$`), '');
  return SERVICE_PORTS[h] === port ? h : undefined;
}

/** http://host:port[/base] => [host, port] */
export function hostPort(url: string): [string, number] {
  const u = new URL(url);
  return [u.hostname, Number(u.port || (u.protocol === 'https:' ? 443 : 80))];
}

/** The *arr a configured address and key reach with a valid key, if any. */
export function arrAt(world: MediaWorld, host: string, port: number) {
  const name = serviceOf(world, host, port);
  return world.arrs.find((a) => a.kind === name);
}

/** the public address the download pod's traffic leaves with: the VPN's, the home one when leaking, none when the
 *  VPN is down (Gluetun's firewall drops everything but the VPN) */
export function downloadEgress(world: MediaWorld): string | undefined {
  if (world.leaking) return world.homeIp;
  return world.gluetun.status === 'running' ? world.vpnIp : undefined;
}
