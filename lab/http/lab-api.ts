// The /_lab/ side channel for fake CLIs and tests: read the event log, reboot a node, inject faults.
//   GET  /_lab/events                     => LabEvent[]
//   POST /_lab/nodes/<node>/reboot?ms=N   => 202, the reboot runs in the background
//   POST /_lab/faults {"type":"node-ready","node":"w1","ready":false} => 200
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import type { LabEvent } from '../controllers/types.js';
import { parseBody, readBody, sendJson } from './respond.js';

export interface LabControls {
  events(): LabEvent[];
  reboot(node: string, ms?: number): Promise<void>;
  setNodeReady(node: string, ready: boolean): void;
}

export function labApi(controls: LabControls) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://lab');
    if (req.method === 'GET' && path === '/_lab/events') return sendJson(res, 200, controls.events()), true;
    const reboot = /^\/_lab\/nodes\/([^/]+)\/reboot$/.exec(path);
    if (req.method === 'POST' && reboot) {
      const ms = url.searchParams.get('ms');
      const done = controls.reboot(decodeURIComponent(reboot[1]!), ms ? Number(ms) : undefined);
      done.catch(() => undefined);
      sendJson(res, 202, { node: reboot[1], rebooting: true });
      return true;
    }
    if (req.method === 'POST' && path === '/_lab/faults') {
      const body = parseBody(await readBody(req), 'application/json');
      if (body?.type === 'node-ready' && typeof body.node === 'string' && typeof body.ready === 'boolean') {
        controls.setNodeReady(body.node, body.ready);
        sendJson(res, 200, { ok: true });
        return true;
      }
      throw errors.badRequest('unknown fault: expected {"type":"node-ready","node":string,"ready":boolean}');
    }
    return false;
  };
}
