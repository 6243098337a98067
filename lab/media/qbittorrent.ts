// A fake qBittorrent WebUI API v2 (5.2; qbittorrent wiki "WebUI API (qBittorrent 5.0)") and the Gluetun control
// server in the same pod (qdm12/gluetun-wiki setup/advanced/control-server.md). qBittorrent: POST /api/v2/auth/login
// (form username/password) answers "Ok." with the cookie QBT_SID_<port> (5.2 names it per port), bad credentials 401;
// every other call without the cookie is 403 "Forbidden". Gluetun: /v1/publicip/ip, /v1/vpn/status, /v1/portforward.
import { randomBytes } from 'node:crypto';
import { json, text, type MediaAnswer, type MediaRequest } from './http.js';
import { downloadEgress } from './reach.js';
import type { MediaWorld } from './world.js';

export function qbittorrentHandler(w: MediaWorld) {
  const sessions = new Set<string>();
  const cookie = 'QBT_SID_8080';
  return (req: MediaRequest): MediaAnswer => {
    const q = w.qbittorrent;
    if (req.method === 'POST' && req.path === '/api/v2/auth/login') {
      if (req.body?.username !== q.username || req.body?.password !== q.password) return text(401, '');
      const sid = randomBytes(16).toString('base64url');
      sessions.add(sid);
      return text(200, 'Ok.', { 'Set-Cookie': `${cookie}=${sid}; HttpOnly; SameSite=Strict; path=/` });
    }
    const sid = new RegExp(`${cookie}=([^;\\s]+)`).exec(String(req.headers.cookie ?? ''))?.[1];
    if (!sid || !sessions.has(sid)) return text(403, 'Forbidden');
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/v2/app/version': return text(200, q.version);
      case 'GET /api/v2/app/webapiVersion': return text(200, '2.11.4');
      case 'GET /api/v2/app/preferences': return json(200, {
        save_path: q.savePath, temp_path_enabled: false, temp_path: `${q.savePath}/incomplete`, auto_tmm_enabled: true, listen_port: q.listenPort,
        current_network_interface: q.networkInterface, web_ui_host_header_validation_enabled: true, web_ui_port: 8080,
      });
      case 'POST /api/v2/app/setPreferences': {
        const prefs = JSON.parse(String(req.body?.json ?? '{}')) as { save_path?: string };
        if (prefs.save_path) q.savePath = prefs.save_path;
        return text(200, '');
      }
      case 'GET /api/v2/torrents/categories': return json(200, q.categories);
      case 'GET /api/v2/transfer/info': {
        const ip = downloadEgress(w);
        return json(200, { connection_status: ip ? 'connected' : 'disconnected', dht_nodes: ip ? 312 : 0, dl_info_speed: 0, up_info_speed: 0, last_external_address_v4: ip ?? '', last_external_address_v6: '' });
      }
      default: return text(404, 'Not Found');
    }
  };
}

export function gluetunHandler(w: MediaWorld) {
  return (req: MediaRequest): MediaAnswer => {
    const g = w.gluetun;
    switch (`${req.method} ${req.path}`) {
      case 'GET /v1/publicip/ip': {
        // Gluetun's view: the address its own public IP lookup found through the tunnel (empty while it is down)
        const ip = g.status === 'running' ? w.vpnIp : '';
        return json(200, { public_ip: ip, region: ip ? 'Zurich' : '', country: ip ? 'Switzerland' : '', city: ip ? 'Zurich' : '', location: '', organization: ip ? 'M247 Europe SRL' : '', postal_code: '', timezone: ip ? 'Europe/Zurich' : '' });
      }
      case 'GET /v1/vpn/status': return json(200, { status: g.status });
      case 'GET /v1/portforward': return json(200, { port: g.status === 'running' ? g.forwardedPort : 0 });
      default: return text(404, '404 page not found\n');
    }
  };
}
