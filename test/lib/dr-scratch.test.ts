import { describe, expect, it } from 'vitest';
import { markdown } from '../../lib/dr/drill-report.ts';
import { scratchNamespace } from '../../lib/dr/scratch.ts';
import { parseFileList, parseSha256, renderVerifyJob } from '../../lib/dr/verify-job.ts';

describe('drill pieces', () => {
  it('scratch namespaces are valid DNS labels, distinct for long app names', () => {
    expect(scratchNamespace('paperless')).toBe('rackhand-drill-paperless');
    const a = scratchNamespace('a'.repeat(60));
    const b = scratchNamespace(`${'a'.repeat(59)}b`);
    for (const n of [a, b]) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(a).not.toBe(b);
  });

  it('the verification Job: argv only, read-only mount, non-root, the app mover identity when given, no retries', () => {
    const job = renderVerifyJob({ name: 'x-drill-verify', namespace: 'ns', pvc: 'volsync-x-dest', image: 'busybox:1.37.0', sentinel: '.s', deadlineSeconds: 60, securityContext: { runAsUser: 1000, fsGroup: 1000 } }) as any;
    const pod = job.spec.template.spec;
    expect(job.spec.backoffLimit).toBe(0);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(pod.volumes[0].persistentVolumeClaim).toEqual({ claimName: 'volsync-x-dest', readOnly: true });
    expect(pod.containers.map((c: any) => c.command)).toEqual([['find', '/data', '-type', 'f', '-exec', 'stat', '-c', '%s %n', '{}', '+'], ['sha256sum', '/data/.s']]);
    expect(pod.containers.every((c: any) => c.securityContext.readOnlyRootFilesystem && !c.securityContext.allowPrivilegeEscalation)).toBe(true);
  });

  it('reads the Job logs: sizes and paths; sha256sum output', () => {
    expect(parseFileList('12 /data/a\n0 /data/dir/empty file\nfind: warning\n')).toEqual({ files: 2, bytes: 12 });
    expect(parseSha256(`${'ab'.repeat(32)}  /data/.s\n`)).toBe('ab'.repeat(32));
    expect(parseSha256('sha256sum: /data/.s: No such file or directory\n')).toBeUndefined();
  });

  it('the Markdown report escapes table cells', () => {
    const md = markdown({ kind: 'rackhand.dev/dr-drill-report', cluster: 'lab', startedAt: 't0', finishedAt: 't1', ok: false, targets: [{ app: 'apps/x', scratchNamespace: 'rackhand-drill-x', ok: false, startedAt: 't0', finishedAt: 't1', checks: [{ name: 'a|b', ok: false, message: 'line1\nline2' }], kept: false, error: 'boom' }] });
    expect(md).toContain('# DR drill of cluster lab: FAILED');
    expect(md).toContain('- ✗ a\\|b: line1 line2');
  });
});
