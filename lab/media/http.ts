// The fake media services' HTTP plumbing: one node:http server per service on 127.0.0.1 (a random port), JSON in and
// out, and the request shape the handlers see. Not a framework: each service is a function of (request) => answer.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaRequest { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders; body: any; raw: string }
export interface MediaAnswer { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
export type MediaHandler = (req: MediaRequest) => MediaAnswer;

export const json = (status: number, body: unknown, headers?: Record<string, string>): MediaAnswer => ({ status, json: body, ...(headers ? { headers } : {}) });
export const text = (status: number, body: string, headers?: Record<string, string>): MediaAnswer => ({ status, text: body, ...(headers ? { headers } : {}) });

function parse(raw: string, type: string | undefined): unknown {
  if (!raw) return undefined;
  if (type?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try { return JSON.parse(raw); } catch { return raw; }
}

export interface MediaServer { port: number; close(): Promise<void> }

export async function serve(handler: MediaHandler): Promise<MediaServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://media');
      const raw = Buffer.concat(chunks).toString('utf8');
      let a: MediaAnswer;
      try {
        a = handler({ method: req.method ?? 'GET', path: url.pathname.replace(/\/+$/, '') || '/', query: url.searchParams, headers: req.headers, body: parse(raw, req.headers['content-type']), raw });
      } catch (err) {
        a = json(500, { message: (err as Error).message });
      }
      const body = a.json !== undefined ? JSON.stringify(a.json) : a.text ?? '';
      res.writeHead(a.status, { 'Content-Type': a.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=UTF-8', ...a.headers });
      res.end(body);
    });
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', () => ok()); });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
