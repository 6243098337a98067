// Decodes the Kubernetes protobuf bodies kubectl 1.32+ sends for `create <generator>` (kubectl-protocol.md
// "Mutating verbs"): the envelope is "k8s\0" + runtime.Unknown{typeMeta=1{apiVersion=1,kind=2}, raw=2}, raw being the
// typed object. Only the kinds the generators create are known (field numbers from k8s.io/api */generated.proto);
// any other kind, or an unknown field, is refused with 415 rather than stored half-read.
import { errors } from '../store/errors.js';

type Field = [name: string, type: FieldType, opts?: { repeated?: boolean; keepZero?: boolean }];
type FieldType = 'string' | 'int' | 'bool' | 'bytes' | 'time' | Schema | { map: 'string' | 'bytes' | Schema };
interface Schema { [num: number]: Field }

const intOrString: Schema = { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] };
const ownerReference: Schema = { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] };
const objectMeta: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 4: ['selfLink', 'string'], 5: ['uid', 'string'],
  6: ['resourceVersion', 'string'], 7: ['generation', 'int'], 8: ['creationTimestamp', 'time'], 9: ['deletionTimestamp', 'time'],
  10: ['deletionGracePeriodSeconds', 'int'], 11: ['labels', { map: 'string' }], 12: ['annotations', { map: 'string' }],
  13: ['ownerReferences', ownerReference, { repeated: true }], 14: ['finalizers', 'string', { repeated: true }],
};
const labelSelector: Schema = {
  1: ['matchLabels', { map: 'string' }],
  2: ['matchExpressions', { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', { repeated: true }] }, { repeated: true }],
};
const quantity: Schema = { 1: ['string', 'string'] };
const container: Schema = {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'string', { repeated: true }], 4: ['args', 'string', { repeated: true }],
  5: ['workingDir', 'string'],
  6: ['ports', { 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] }, { repeated: true }],
  7: ['env', { 1: ['name', 'string'], 2: ['value', 'string'] }, { repeated: true }],
  8: ['resources', { 1: ['limits', { map: quantity }], 2: ['requests', { map: quantity }] }],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 20: ['terminationMessagePolicy', 'string'],
};
const podSpec: Schema = {
  2: ['containers', container, { repeated: true }], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int'],
  6: ['dnsPolicy', 'string'], 7: ['nodeSelector', { map: 'string' }], 8: ['serviceAccountName', 'string'], 10: ['nodeName', 'string'],
  11: ['hostNetwork', 'bool'], 19: ['schedulerName', 'string'],
};
const podTemplate: Schema = { 1: ['metadata', objectMeta], 2: ['spec', podSpec] };
const empty: Schema = {};

const KINDS: Record<string, Schema> = {
  'v1/ConfigMap': { 1: ['metadata', objectMeta], 2: ['data', { map: 'string' }], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool', { keepZero: true }] },
  'v1/Secret': { 1: ['metadata', objectMeta], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', { map: 'string' }], 5: ['immutable', 'bool', { keepZero: true }] },
  'v1/Namespace': { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['finalizers', 'string', { repeated: true }] }], 3: ['status', { 1: ['phase', 'string'] }] },
  'v1/ServiceAccount': { 1: ['metadata', objectMeta] },
  'apps/v1/Deployment': {
    1: ['metadata', objectMeta],
    2: ['spec', {
      1: ['replicas', 'int', { keepZero: true }], 2: ['selector', labelSelector], 3: ['template', podTemplate],
      4: ['strategy', { 1: ['type', 'string'], 2: ['rollingUpdate', { 1: ['maxUnavailable', intOrString], 2: ['maxSurge', intOrString] }] }],
      5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int', { keepZero: true }], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int', { keepZero: true }],
    }],
    3: ['status', empty],
  },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  done(): boolean { return this.pos >= this.buf.length; }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw errors.badRequest('truncated protobuf varint');
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw errors.badRequest(`unsupported protobuf wire type ${wire}`);
  }
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function decodeValue(r: Reader, type: FieldType, wire: number, where: string): unknown {
  if (type === 'int') return wire === 0 ? (() => { const v = r.varint(); return v > 2 ** 31 ? v - 2 ** 64 : v; })() : (r.skip(wire), 0);
  if (type === 'bool') return r.varint() !== 0;
  if (type === 'string') return text(r.bytes());
  if (type === 'bytes') return Buffer.from(r.bytes()).toString('base64');
  if (type === 'time') {
    const t = decodeMessage(r.bytes(), { 1: ['seconds', 'int'], 2: ['nanos', 'int'] }, where) as { seconds?: number };
    return t.seconds ? new Date(t.seconds * 1000).toISOString().replace('.000Z', 'Z') : undefined;
  }
  if ('map' in type) {
    const entry = decodeMessage(r.bytes(), { 1: ['key', 'string'], 2: ['value', typeof type.map === 'string' ? type.map : type.map, { keepZero: true }] }, where) as { key?: string; value?: unknown };
    return [entry.key ?? '', entry.value ?? (type.map === 'string' ? '' : type.map === 'bytes' ? '' : {})];
  }
  return decodeMessage(r.bytes(), type as Schema, where);
}

function decodeMessage(buf: Uint8Array, schema: Schema, where: string): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done()) {
    const tag = r.varint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    const field = schema[num];
    if (!field) {
      // generated marshallers write every non-pointer scalar: a zero varint or an empty string/message is "unset"
      const start = r.pos;
      const zero = wire === 0 ? r.varint() === 0 : wire === 2 ? r.varint() === 0 : false;
      if (zero) continue;
      r.pos = start;
      throw errors.unsupportedMediaType([`application/json (protobuf field ${where}.${num} is not understood by the lab)`]);
    }
    const [name, type, opts] = field;
    const value = decodeValue(r, type, wire, `${where}.${name}`);
    if (typeof type === 'object' && 'map' in type) {
      const [k, v] = value as [string, unknown];
      const m = (out[name] ??= {}) as Record<string, unknown>;
      m[k] = type.map === quantity ? (v as { string?: string }).string ?? '' : v;
    } else if (opts?.repeated) (out[name] ??= [] as unknown[]) && (out[name] as unknown[]).push(value);
    else if (value !== undefined && (opts?.keepZero || (value !== '' && value !== 0 && value !== false))) out[name] = value;
  }
  // IntOrString back to its JSON form
  if (schema === intOrString) return (out.type === 1 ? out.strVal : out.intVal ?? 0) as never;
  return out;
}

/** The JSON object a Kubernetes protobuf body stands for. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw errors.badRequest('protobuf body without the k8s envelope');
  const unknown = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  while (!unknown.done()) {
    const tag = unknown.varint();
    if (tag >> 3 === 1) {
      const tm = decodeMessage(unknown.bytes(), { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }, 'typeMeta');
      apiVersion = String(tm.apiVersion ?? '');
      kind = String(tm.kind ?? '');
    } else if (tag >> 3 === 2) raw = unknown.bytes();
    else unknown.skip(tag & 7);
  }
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema || !raw) throw errors.unsupportedMediaType([`application/json (the lab cannot read ${kind || 'this'} in protobuf)`]);
  return { apiVersion, kind, ...decodeMessage(raw, schema, kind) };
}
