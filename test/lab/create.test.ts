// `kubectl create <generator>` on kubectl 1.33 sends protobuf bodies (kubectl-protocol.md): the lab decodes the
// kinds generators make, and refuses the others with 415 instead of storing them half-read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, ok, openLab, until } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ kubernetesVersion: 'v1.33.1' }); });
afterAll(async () => closeLab(lab));

describe('kubectl create generators (kubectl 1.33, protobuf bodies)', () => {
  it('creates a namespace, a configmap with an empty value, a secret and a service account', async () => {
    await ok(lab, 'create', 'namespace', 'media');
    await ok(lab, 'create', 'configmap', 'settings', '-n', 'media', '--from-literal=mode=fast', '--from-literal=empty=');
    await ok(lab, 'create', 'secret', 'generic', 'creds', '-n', 'media', '--from-literal=password=hunter2');
    await ok(lab, 'create', 'serviceaccount', 'bot', '-n', 'media');
    expect(lab.store.get('namespaces', undefined, 'media').status).toEqual({ phase: 'Active' });
    expect(lab.store.get('configmaps', 'media', 'settings').data).toEqual({ mode: 'fast', empty: '' });
    const secret = lab.store.get('secrets', 'media', 'creds');
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('hunter2');
    expect(lab.store.find('serviceaccounts', 'media', 'bot')).toBeDefined();
  });

  it('creates a deployment whose pods come up', async () => {
    await ok(lab, 'create', 'deployment', 'echo', '--image=ealen/echo-server:0.9.2', '--replicas=3', '--port=8080');
    const d = lab.store.get('deployments.apps', 'default', 'echo');
    expect(d.spec).toMatchObject({ replicas: 3, selector: { matchLabels: { app: 'echo' } }, strategy: { type: 'RollingUpdate' } });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'echo-server', image: 'ealen/echo-server:0.9.2', ports: [{ containerPort: 8080 }] });
    await until('3 running echo pods', () => lab.store.list('pods', { labelSelector: 'app=echo' }).items.filter((p) => p.status?.phase === 'Running').length === 3);
    expect(await ok(lab, 'rollout', 'status', 'deployment/echo', '--timeout=10s')).toContain('successfully rolled out');
  });

  it('refuses a protobuf kind it cannot decode with 415 UnsupportedMediaType', async () => {
    const field = (num: number, bytes: Buffer) => Buffer.concat([Buffer.from([(num << 3) | 2, bytes.length]), bytes]);
    const typeMeta = Buffer.concat([field(1, Buffer.from('v1')), field(2, Buffer.from('Pod'))]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, field(1, field(1, Buffer.from('p'))))]);
    const res = await fetch(`${lab.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { reason: string }).reason).toBe('UnsupportedMediaType');
    expect(lab.store.find('pods', 'default', 'p')).toBeUndefined();
  });
});
