// Patch bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge (treated as a merge patch with
// its $-directives dropped; refused for custom resources as kube-apiserver does) and server-side apply
// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go).
import { errors } from '../store/errors.js';
import { deepCopy } from '../store/meta.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const MEDIA: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function patchTypeOf(contentType: string | undefined, custom: boolean): PatchType {
  const accepted = Object.keys(MEDIA).filter((m) => !(custom && MEDIA[m] === 'strategic'));
  const t = MEDIA[(contentType ?? '').split(';')[0]!.trim()];
  if (!t || (custom && t === 'strategic')) throw errors.unsupportedMediaType(accepted);
  return t;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown, strategic = false): unknown {
  if (!isObject(patch)) return deepCopy(patch);
  const out: Record<string, unknown> = isObject(target) ? deepCopy(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (strategic && k.startsWith('$')) continue; // $patch, $retainKeys, $setElementOrder/... directives
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, strategic);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: any, parts: string[], path: string): [any, string] {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : cur?.[p];
    if (cur === undefined || cur === null) throw errors.patchFailed(`jsonpatch operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return [cur, parts[parts.length - 1]!];
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be an array of operations');
  let doc: any = deepCopy(target);
  for (const op of ops as { op: string; path: string; value?: unknown; from?: string }[]) {
    const get = (path: string) => pointer(path).reduce((c: any, p) => (Array.isArray(c) ? c[Number(p)] : c?.[p]), doc);
    const remove = (path: string) => {
      const [parent, key] = parentOf(doc, pointer(path), path);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else if (key in parent) delete parent[key];
      else throw errors.patchFailed(`jsonpatch remove operation does not apply: doc is missing key: ${path}: missing value`);
    };
    const add = (path: string, value: unknown) => {
      if (path === '') return void (doc = value);
      const [parent, key] = parentOf(doc, pointer(path), path);
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, value);
      else parent[key] = value;
    };
    switch (op.op) {
      case 'add': add(op.path, deepCopy(op.value)); break;
      case 'remove': remove(op.path); break;
      case 'replace': remove(op.path); add(op.path, deepCopy(op.value)); break;
      case 'move': { const v = get(op.from!); remove(op.from!); add(op.path, v); break; }
      case 'copy': add(op.path, deepCopy(get(op.from!))); break;
      case 'test':
        if (JSON.stringify(get(op.path)) !== JSON.stringify(op.value)) throw errors.patchFailed(`testing value ${op.path} failed: test failed`);
        break;
      default: throw errors.badRequest(`unexpected json patch operation: ${op.op}`);
    }
  }
  return doc;
}
