// Accepted drift written back into Git: each change made in the compose document itself (yaml's Document API: the
// edited node only, so comments, order and anchors stay as they were), on the file that defines the service last (the
// one whose value wins when files merge). An image set through a .env variable (image: repo:${TAG}) changes the
// .env line instead. Secrets are never written to Git; what cannot be expressed safely (a network, a healthcheck, a
// missing or unknown service) is left for a person and listed.
import { posix } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { SECRET_LABELS, type Finding } from './diff.ts';
import type { GitProject } from './project.ts';
import { ports, volumes } from './state.ts';

export interface Change { file: string; service: string; field: string; from?: string; to?: string }
export interface Skipped { finding: Finding; reason: string }
export interface ServicePatch { service: string; changes: Change[]; files: Record<string, string> }

const BACKPORTED = /^(image|restart|ports|volumes|labels\..+|environment\..+)$/;

/** Docker's defaults taken back off a reference, as the file wrote it */
function asWritten(running: string, template: string): string {
  if (template.startsWith('docker.io/')) return running;
  return running.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** A section the service inherits through a YAML merge key (<<: *anchor), copied onto the service before it is
 *  edited: YAML merges are shallow, so a section of its own would otherwise drop everything the anchor gave it. */
function ownSection(svc: YAMLMap, section: string, doc: Document): unknown {
  const own = svc.get(section, true);
  if (own) return own;
  for (const pair of svc.items) {
    // yaml (merge: true) keeps the merge key as a Scalar whose source is '<<' (its value is not the string)
    if (!isScalar(pair.key) || (pair.key.value !== '<<' && pair.key.source !== '<<')) continue;
    for (const v of isSeq(pair.value) ? pair.value.items : [pair.value]) {
      const src = isAlias(v) ? v.resolve(doc) : v;
      const got = isMap(src) ? src.get(section, true) : undefined;
      if (got && (isMap(got) || isSeq(got))) { const copy = got.clone(); svc.set(section, copy); return copy; }
    }
  }
  return undefined;
}

/** what a person has to do about a difference rackhand does not write back */
function leftAlone(f: Finding): string {
  switch (f.field) {
    case 'service': return f.git ? 'in Git, not running: start it on the host (docker compose up -d) or remove it from Git' : 'runs, not in Git: add it to the compose file or remove the container';
    case 'state': return 'the container is not running: start it on the host';
    case 'container': return 'started by hand: add it to a compose file or remove it';
    case 'project': return 'the project itself: see the drift report';
    default: return `${f.field}: not written back automatically; edit it by hand`;
  }
}

const portShort = (p: string) => {
  const m = /^(.*):(\d*)->(\d+)\/(\w+)$/.exec(p)!;
  return `${m[1] ? `${m[1]}:` : ''}${m[2] ? `${m[2]}:` : ''}${m[3]}${m[4] === 'tcp' ? '' : `/${m[4]}`}`;
};

export function backportService(o: {
  project: GitProject; service: string; hostDir: string; findings: Finding[]; texts: Record<string, string>; isSecret: (k: string) => boolean;
}): { patch?: ServicePatch; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  const docs = new Map<string, Document>();
  const doc = (f: string) => { let d = docs.get(f); if (!d) docs.set(f, (d = parseDocument(o.texts[f] ?? '', { merge: true }))); return d; };
  const defining = [...o.project.files].reverse().find((f) => isMap(doc(f).getIn(['services', o.service], true)));
  const changes: Change[] = [];
  const dirty = new Set<string>();
  const envEdits = new Map<string, string>();
  if (!defining) return { skipped: o.findings.map((finding) => ({ finding, reason: `service ${o.service} is defined in none of ${o.project.files.join(', ')}` })) };
  const svc = doc(defining).getIn(['services', o.service], true) as YAMLMap;
  for (const f of o.findings) {
    if (!BACKPORTED.test(f.field)) { skipped.push({ finding: f, reason: leftAlone(f) }); continue; }
    const key = f.field.includes('.') ? f.field.slice(f.field.indexOf('.') + 1) : '';
    if (f.field.startsWith('environment.') && o.isSecret(key)) { skipped.push({ finding: f, reason: `${key} is a secret: never written to Git; update the host's env file instead` }); continue; }
    if (f.field.startsWith('labels.') && (SECRET_LABELS.test(key) || o.isSecret(key))) { skipped.push({ finding: f, reason: `${key} carries a credential: only its hash is known here; edit it by hand` }); continue; }
    if (f.field === 'image') {
      const raw = svc.get('image', true);
      const template = isScalar(raw) ? String(raw.value) : String(o.project.services[o.service]?.image ?? '');
      const m = /^(.*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(.*)$/.exec(template);
      const to = asWritten(f.running!, template.replace(/\$\{[^}]*\}/g, ''));
      const envFile = posix.join(o.project.dir, '.env');
      if (m && o.texts[envFile] !== undefined && new RegExp(`^\\s*(export\\s+)?${m[2]}=`, 'm').test(o.texts[envFile]!) && to.startsWith(m[1]!) && to.endsWith(m[3]!)) {
        const value = to.slice(m[1]!.length, to.length - m[3]!.length);
        envEdits.set(m[2]!, value);
        changes.push({ file: envFile, service: o.service, field: `image (${m[2]} in .env)`, ...(f.git ? { from: f.git } : {}), to: f.running! });
        continue;
      }
      svc.set('image', to);
      changes.push({ file: defining, service: o.service, field: 'image', ...(f.git ? { from: f.git } : {}), to });
    } else if (f.field === 'restart') {
      svc.set('restart', f.running);
      changes.push({ file: defining, service: o.service, field: 'restart', ...(f.git ? { from: f.git } : {}), to: f.running! });
    } else if (f.field.startsWith('labels.') || f.field.startsWith('environment.')) {
      const section = f.field.startsWith('labels.') ? 'labels' : 'environment';
      let node: unknown = ownSection(svc, section, doc(defining));
      if (!node) { node = new YAMLMap(); svc.set(section, node); }
      if (isMap(node)) {
        if (f.running === undefined) node.delete(key); else node.set(key, f.running);
      } else if (isSeq(node)) {
        const i = node.items.findIndex((it) => isScalar(it) && String(it.value).split('=')[0] === key);
        if (f.running === undefined) { if (i >= 0) node.items.splice(i, 1); } else if (i >= 0) node.set(i, `${key}=${f.running}`); else node.add(`${key}=${f.running}`);
      }
      changes.push({ file: defining, service: o.service, field: f.field, ...(f.git !== undefined ? { from: f.git } : {}), ...(f.running !== undefined ? { to: f.running } : {}) });
    } else {
      // ports, volumes: the Git-only entries removed, the running-only ones added; the others keep their lines
      const field = f.field as 'ports' | 'volumes';
      const onlyGit = new Set((f.git ?? '').split(', ').filter(Boolean));
      const onlyRun = (f.running ?? '').split(', ').filter(Boolean);
      let seq: unknown = ownSection(svc, field, doc(defining));
      if (!isSeq(seq)) { seq = new YAMLSeq(); svc.set(field, seq); }
      const norm = (item: unknown) => (field === 'ports' ? ports([item])[0] : volumes([item], o.project, o.hostDir)[0]);
      const s = seq as YAMLSeq<unknown>;
      const add: string[] = [];
      for (const r of onlyRun) {
        if (field === 'ports') { add.push(portShort(r)); continue; }
        const [type, source, target, mode] = r.split(':') as [string, string, string, string];
        const rel = type === 'bind' && (source === o.hostDir || source.startsWith(`${o.hostDir}/`)) ? `./${posix.relative(o.hostDir, source)}` : source;
        const named = type === 'volume' ? Object.keys(o.project.volumes).find((n) => (o.project.volumes[n]?.name ?? `${o.project.name}_${n}`) === source) : undefined;
        if (type === 'volume' && !named) { skipped.push({ finding: f, reason: `volume ${source} is not one of the project's named volumes: add it by hand` }); continue; }
        add.push(`${type === 'bind' ? rel : named}:${target}${mode === 'ro' ? ':ro' : ''}`);
      }
      const before = s.items.length;
      // an entry for the same target (container path, container port) is replaced where it stands; the rest go last
      const targetOf = (n: string) => (field === 'ports' ? n.split('->')[1] : n.split(':')[2]);
      const pending = [...add];
      const addedTargets = onlyRun.map(targetOf);
      s.items = s.items.flatMap((it) => {
        const n = norm(isScalar(it) ? it.value : (it as YAMLMap).toJSON()) ?? '';
        if (!onlyGit.has(n)) return [it];
        const i = addedTargets.indexOf(targetOf(n));
        if (i < 0 || pending[i] === undefined) return [];
        const value = pending[i]!;
        pending[i] = undefined as unknown as string;
        return [doc(defining).createNode(value)];
      });
      for (const a of pending.filter((x) => x !== undefined)) s.add(a);
      if (s.items.length !== before || add.length) changes.push({ file: defining, service: o.service, field, ...(onlyGit.size ? { from: [...onlyGit].join(', ') } : {}), ...(add.length ? { to: add.join(', ') } : {}) });
    }
    dirty.add(defining);
  }
  if (!changes.length) return { skipped };
  const files: Record<string, string> = {};
  // flowCollectionPadding: [a, b] stays [a, b]; lineWidth 0: no long line is folded
  for (const f of dirty) files[f] = doc(f).toString({ flowCollectionPadding: false, lineWidth: 0 });
  if (envEdits.size) {
    const envFile = posix.join(o.project.dir, '.env');
    let text = o.texts[envFile]!;
    for (const [k, v] of envEdits) text = text.replace(new RegExp(`^(\\s*(?:export\\s+)?${k}=).*$`, 'm'), `$1${v}`);
    files[envFile] = text;
  }
  return { patch: { service: o.service, changes, files }, skipped };
}
