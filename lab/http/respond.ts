// Writing replies and reading bodies. Every reply carries Cache-Control: no-cache, private, as kube-apiserver's
// replies do (reference/kubectl-protocol.md: the kubectl dispatcher caches /version otherwise).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { errors, StatusError, type StatusBody } from '../store/errors.js';
import { decodeKubernetesProtobuf } from './protobuf.js';

export const BASE_HEADERS = { 'Cache-Control': 'no-cache, private' } as const;

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...BASE_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A Status error. No Retry-After header is ever sent: client-go would retry a 429 silently (kubectl-protocol.md). */
export function sendError(res: ServerResponse, err: unknown): void {
  const body: StatusBody = err instanceof StatusError ? err.body : errors.internal(err instanceof Error ? err.message : String(err)).body;
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, body.code, body);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a request body as JSON, YAML (apply patches) or Kubernetes protobuf (the kinds protobuf.ts knows). */
export function parseBody(raw: Buffer, contentType: string | undefined): any {
  const ct = (contentType ?? '').split(';')[0]!.trim();
  if (raw.length === 0) return undefined;
  if (ct === 'application/vnd.kubernetes.protobuf') return decodeKubernetesProtobuf(raw);
  if (ct.includes('protobuf') || ct.includes('cbor')) throw errors.unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  const text = raw.toString('utf8');
  try {
    return ct.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}
