// Server-side apply with field managers, as the real kubectl sees it: an apply that would change a field another
// manager set is a 409 naming the manager and the field, unless --force-conflicts; ownership shows in managedFields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, ok, openLab } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ settleMs: 0 }); });
afterAll(async () => closeLab(lab));

const cm = (x: string, extra: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'default' }, data: { x, ...extra } });

describe('server-side apply field ownership', () => {
  it('a field another manager changed is a conflict (409) naming it; --force-conflicts takes it over; an equal value is shared', async () => {
    const { execa } = await import('execa');
    const run = (args: string[], input: string) => execa('/usr/bin/kubectl', args, { env: lab.env, input, reject: false });
    expect((await run(['apply', '--server-side', '-f', '-'], cm('1'))).exitCode).toBe(0);
    await ok(lab, 'patch', 'configmap', 'ssa', '-n', 'default', '--type', 'merge', '-p', '{"data":{"x":"2"}}');
    const clash = await run(['apply', '--server-side', '-f', '-'], cm('1'));
    expect(clash.exitCode).toBe(1);
    expect(clash.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.x');
    expect((await json(lab, 'get', 'configmap', 'ssa', '-n', 'default')).data.x).toBe('2');
    // the same value another manager set is no conflict: both own it
    expect((await run(['apply', '--server-side', '--field-manager', 'other', '-f', '-'], cm('2'))).exitCode).toBe(0);
    const forced = await run(['apply', '--server-side', '--force-conflicts', '-f', '-'], cm('1', { y: 'a' }));
    expect(forced.exitCode, forced.stderr).toBe(0);
    const o = await json(lab, 'get', 'configmap', 'ssa', '-n', 'default', '--show-managed-fields');
    expect(o.data).toEqual({ x: '1', y: 'a' });
    const owners = Object.fromEntries((o.metadata.managedFields as { manager: string; operation: string; fieldsV1: Record<string, unknown> }[]).map((e) => [`${e.manager}/${e.operation}`, e.fieldsV1]));
    expect(owners['kubectl/Apply']).toEqual({ 'f:data': { 'f:x': {}, 'f:y': {} } });
    expect(owners['kubectl-patch/Update']).toBeUndefined();
    expect(owners['other/Apply']).toBeUndefined();
  });
});
