// The /_lab/ side channel for fake CLIs and tests: read the event log, reboot a node, inject faults.
//   GET  /_lab/events                     => LabEvent[]
//   POST /_lab/nodes/<node>/reboot?ms=N   => 202, the reboot runs in the background
//   POST /_lab/faults {"type":"node-ready","node":"w1","ready":false} => 200
//        {"type":"node-never-ready","node":"w1"} | {"type":"upgrade-fails","node":"w1","message"?:"..."}
//        | {"type":"etcd-unhealthy","node":"cp2","message"?:"..."} | {"type":"clear"}
//        | {"type":"restic-locked","app":"paperless"} | {"type":"wrong-password","app":"apps/paperless"}
//        | {"type":"mover-fails","app":"paperless","times"?:2} | {"type":"op-signed-out","signedOut"?:false}
//        | {"type":"helm-release-fails","release":"cert-manager","message"?:"..."}
//   POST /_lab/cli/<tool> {tool, argv, cwd, env?, stdin?} => {stdout, stderr, exitCode} (held open while the command runs)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import type { LabEvent } from '../controllers/types.js';
import { parseBody, readBody, sendJson } from './respond.js';

export interface LabControls {
  events(): LabEvent[];
  reboot(node: string, ms?: number): Promise<void>;
  setNodeReady(node: string, ready: boolean): void;
  nodeNeverReady?(node: string): void;
  upgradeFails?(node: string, message?: string): void;
  etcdUnhealthy?(node: string, message?: string): void;
  clearFaults?(): void;
  resticLocked?(app: string): Promise<void>;
  apiDown?(ms?: number): void;
  wrongPassword?(app: string): void;
  moverFails?(app: string, opts?: { times?: number }): void;
  opSignedOut?(signedOut?: boolean): void;
  helmReleaseFails?(release: string, message?: string): void;
  /** the fake CLIs: tool name => handler (env: the variables lab/bin/fake-cli.mjs forwards) */
  cli?: Record<string, (req: { argv: string[]; cwd: string; stdin?: string; env?: Record<string, string>; umask?: number }) => Promise<{ stdout: string; stderr: string; exitCode: number }>>;
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
      const node = typeof body?.node === 'string' ? body.node : undefined;
      const message = typeof body?.message === 'string' ? body.message : undefined;
      const app = typeof body?.app === 'string' ? body.app : undefined;
      const times = typeof body?.times === 'number' ? body.times : undefined;
      const release = typeof body?.release === 'string' ? body.release : undefined;
      const apply: Record<string, (() => void | Promise<void>) | undefined> = {
        'restic-locked': app && controls.resticLocked ? () => controls.resticLocked!(app) : undefined,
        'wrong-password': app && controls.wrongPassword ? () => controls.wrongPassword!(app) : undefined,
        'mover-fails': app && controls.moverFails ? () => controls.moverFails!(app, times !== undefined ? { times } : {}) : undefined,
        'node-never-ready': node && controls.nodeNeverReady ? () => controls.nodeNeverReady!(node) : undefined,
        'upgrade-fails': node && controls.upgradeFails ? () => controls.upgradeFails!(node, message) : undefined,
        'etcd-unhealthy': node && controls.etcdUnhealthy ? () => controls.etcdUnhealthy!(node, message) : undefined,
        'op-signed-out': controls.opSignedOut ? () => controls.opSignedOut!(body?.signedOut !== false) : undefined,
        'helm-release-fails': release && controls.helmReleaseFails ? () => controls.helmReleaseFails!(release, message) : undefined,
        'api-down': controls.apiDown ? () => controls.apiDown!(typeof body?.ms === 'number' ? body.ms : undefined) : undefined,
        clear: controls.clearFaults,
      };
      const fn = apply[body?.type];
      if (fn) {
        await fn();
        sendJson(res, 200, { ok: true });
        return true;
      }
      throw errors.badRequest('unknown fault: expected {"type":"node-ready","node":string,"ready":boolean}, {"type":"node-never-ready"|"upgrade-fails"|"etcd-unhealthy","node":string,"message"?:string}, {"type":"restic-locked"|"wrong-password","app":string}, {"type":"mover-fails","app":string,"times"?:number}, {"type":"op-signed-out","signedOut"?:boolean}, {"type":"helm-release-fails","release":string,"message"?:string}, {"type":"api-down","ms"?:number} or {"type":"clear"}');
    }
    const cli = /^\/_lab\/cli\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && cli) {
      const tool = decodeURIComponent(cli[1]!);
      const handler = controls.cli?.[tool];
      if (!handler) throw errors.notFound({ group: '', resource: 'tools', name: tool });
      const body = parseBody(await readBody(req), 'application/json');
      if (!Array.isArray(body?.argv) || typeof body?.cwd !== 'string') throw errors.badRequest('expected {"argv": string[], "cwd": string}');
      const env = body.env && typeof body.env === 'object' ? Object.fromEntries(Object.entries(body.env).filter(([, v]) => typeof v === 'string')) as Record<string, string> : {};
      sendJson(res, 200, await handler({ argv: body.argv.map(String), cwd: body.cwd, env, ...(typeof body.stdin === 'string' ? { stdin: body.stdin } : {}), ...(typeof body.umask === 'number' ? { umask: body.umask } : {}) }));
      return true;
    }
    return false;
  };
}
