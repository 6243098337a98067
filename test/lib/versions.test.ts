import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../lib/patterns.ts';
import { kubernetesSupportedBy, moveProblem, targetProblem } from '../../lib/versions.ts';

const policy = { what: 'Talos', allowDowngrade: false, allowPrerelease: false, maxMinorStep: 1 };

describe('version moves', () => {
  it.each([
    ['v1.12.1', 'v1.12.4', undefined],
    ['v1.12.1', 'v1.13.0', undefined],
    ['v1.12.1', 'v1.12.1', undefined],
    ['v1.11.9', 'v1.13.0', 'skips 1 minor release(s): upgrade to the latest v1.12.x first'],
    ['v1.12.1', 'v1.12.0', 'older than the running v1.12.1: a downgrade'],
    ['v1.12.1', 'v2.0.0', 'changes the major version'],
    ['v1.12.10', 'v1.12.9', 'a downgrade'], // numeric, not string, comparison
  ])('%s -> %s', (from, to, problem) => {
    const p = moveProblem(from, to, policy);
    if (problem === undefined) expect(p).toBeUndefined(); else expect(p).toContain(problem);
  });

  it('a downgrade passes only when allowed; a pre-release only with --allow-prerelease', () => {
    expect(moveProblem('v1.12.1', 'v1.11.0', { ...policy, allowDowngrade: true })).toBeUndefined();
    expect(targetProblem('v1.13.0-beta.1', '--to', false)).toContain('is a pre-release');
    expect(targetProblem('v1.13.0-beta.1', '--to', true)).toBeUndefined();
    expect(targetProblem('1.13', '--to', false)).toContain('expected a version like v1.12.3');
  });

  it('Kubernetes versions a talosctl supports follow the Talos support matrix', () => {
    expect(kubernetesSupportedBy('v1.8.4')).toEqual({ min: 'v1.26', max: 'v1.31' });
    expect(kubernetesSupportedBy('v1.12.1')).toEqual({ min: 'v1.30', max: 'v1.35' });
  });
});

describe('durations for people', () => {
  it.each([[25 * 3_600_000, '25h'], [90 * 60_000, '1h30m'], [125_000, '2m5s'], [1_500, '1.5s'], [350, '350ms'], [3 * 86_400_000, '3d']])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
