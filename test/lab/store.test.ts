// The generic store on its own: resourceVersion, generation, conflicts, selectors, finalizers, history.
import { describe, expect, it } from 'vitest';
import { Registry } from '../../lab/kinds/registry.js';
import { StatusError } from '../../lab/store/errors.js';
import { parseLabelSelector } from '../../lab/store/selectors.js';
import { Store } from '../../lab/store/store.js';

function fresh() {
  const registry = new Registry();
  const store = new Store(registry.byGroupResource);
  store.create('namespaces', { metadata: { name: 'default' } });
  return store;
}

const deploy = (replicas: number) => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
});

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e.code;
    throw e;
  }
  return 0;
}

describe('store', () => {
  it('bumps one global resourceVersion on every write and generation only on spec changes', () => {
    const s = fresh();
    const a = s.create('deployments.apps', deploy(1));
    expect(a.metadata.generation).toBe(1);
    const b = s.update('deployments.apps', { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } });
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(b.metadata.generation).toBe(1);
    const c = s.update('deployments.apps', { ...b, spec: { ...b.spec, replicas: 3 } });
    expect(c.metadata.generation).toBe(2);
    const d = s.update('deployments.apps', { ...c, status: { replicas: 3 } }, { subresource: 'status' });
    expect(d.metadata.generation).toBe(2);
    expect(d.status).toEqual({ replicas: 3 });
    // the main resource ignores status
    const e = s.update('deployments.apps', { ...d, status: { replicas: 99 } });
    expect(e.status).toEqual({ replicas: 3 });
    expect(s.resourceVersion).toBe(Number(d.metadata.resourceVersion));
  });

  it('answers Conflict for a stale resourceVersion, AlreadyExists, NotFound, and NotFound for a missing namespace', () => {
    const s = fresh();
    const a = s.create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    s.update('configmaps', { ...a, data: { a: '2' } });
    expect(statusOf(() => s.update('configmaps', { ...a, data: { a: '3' } }))).toBe(409);
    expect(statusOf(() => s.create('configmaps', { metadata: { name: 'c', namespace: 'default' } }))).toBe(409);
    expect(statusOf(() => s.get('configmaps', 'default', 'nope'))).toBe(404);
    expect(statusOf(() => s.create('configmaps', { metadata: { name: 'c', namespace: 'elsewhere' } }))).toBe(404);
    expect(statusOf(() => s.create('configmaps', { metadata: { name: 'Bad_Name', namespace: 'default' } }))).toBe(422);
  });

  it('returns deep copies: mutating a result never changes the store', () => {
    const s = fresh();
    const a = s.create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    a.data.a = 'changed';
    s.list('configmaps').items[0]!.data.a = 'changed';
    expect(s.get('configmaps', 'default', 'c').data).toEqual({ a: '1' });
  });

  it('keeps an object with finalizers until the last one is removed', () => {
    const s = fresh();
    s.create('configmaps', { metadata: { name: 'f', namespace: 'default', finalizers: ['x/y'] } });
    const r = s.delete('configmaps', 'default', 'f');
    expect(r.gone).toBe(false);
    const marked = s.get('configmaps', 'default', 'f');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    s.update('configmaps', { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    expect(s.find('configmaps', 'default', 'f')).toBeUndefined();
  });

  it('replays history after a resourceVersion, and refuses field selectors the kind does not support', () => {
    const s = fresh();
    const rv = s.resourceVersion;
    s.create('configmaps', { metadata: { name: 'one', namespace: 'default' } });
    s.delete('configmaps', 'default', 'one');
    const since = s.history.since(rv);
    if (since === 'expired') throw new Error('history expired');
    expect(since.filter((e) => e.resource === 'configmaps').map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(statusOf(() => s.list('configmaps', { fieldSelector: 'spec.nodeName=w1' }))).toBe(400);
    expect(statusOf(() => s.list('pods', { fieldSelector: 'spec.nodeName=w1' }))).toBe(0);
  });

  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app in (web,db)', { app: 'db' }, true],
    ['app notin (web,db)', { app: 'db' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier in (front)', { app: 'web', tier: 'front' }, true],
  ])('label selector %s on %j => %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)(labels as Record<string, string>)).toBe(want);
  });
});
