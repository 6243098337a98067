import { describe, expect, it } from 'vitest';
import { versionSkew } from '../../lib/checks/talos.ts';
import { rolloutOrder } from '../../lib/rollout/rolling.ts';

describe('talosctl version skew', () => {
  it.each<[string, string[], { ok: boolean; warning?: boolean }]>([
    ['v1.12.1', ['v1.12.1', 'v1.12.1'], { ok: true }],
    ['v1.12.1', ['v1.12.1', 'v1.12.2'], { ok: true }], // a patch-level difference is not worth a warning on every run
    ['v1.13.0', ['v1.12.4', 'v1.13.0'], { ok: false, warning: true }],
    ['v1.13.0', ['v1.11.6'], { ok: false, warning: undefined }],
    ['v2.0.0', ['v1.12.1'], { ok: false, warning: undefined }],
  ])('client %s against %j', (client, others, expected) => {
    const r = versionSkew(client, others);
    expect({ ok: r.ok, warning: r.warning }).toEqual({ ok: expected.ok, warning: expected.warning });
  });

  it('names the version that is too far and the fix', () => {
    const r = versionSkew('v1.13.0', ['v1.11.6', 'v1.11.6']);
    expect(r.message).toBe('talosctl v1.13.0 is more than one minor away from v1.11.6');
    expect(r.remedy).toContain('install talosctl v1.11.6');
  });
});

describe('rollout order', () => {
  it('control planes first, then workers, each in config order', () => {
    const n = (name: string, role: 'controlplane' | 'worker') => ({ name, address: '10.0.0.1', role });
    expect(rolloutOrder([n('w2', 'worker'), n('cp1', 'controlplane'), n('w1', 'worker'), n('cp3', 'controlplane'), n('cp2', 'controlplane')]).map((x) => x.name))
      .toEqual(['cp1', 'cp3', 'cp2', 'w2', 'w1']);
  });
});
