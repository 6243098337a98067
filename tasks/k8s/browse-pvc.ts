// k8s:browse-pvc — a look inside a PersistentVolumeClaim: a throwaway pod mounts it at /data (read-only unless --rw),
// on the node where a ReadWriteOnce claim is attached (so it starts next to the app instead of hanging on a
// Multi-Attach error), as the app's own user when an app pod mounts it; then a shell (with a terminal) or the command
// after --, and the pod is deleted on exit, failure or Ctrl-C. Better than `kubectl browse-pvc` / a hand-written pod:
// nothing is left running, the app's files are not touched unless --rw, and it never fights the app for the volume.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { sessionStep } from '../../lib/k8s/throwaway-pod.ts';
import { findAppPods, type AppPod } from '../../lib/k8s/app-pods.ts';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../../lib/patterns.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

type Claim = KubeObject<{ accessModes?: string[] }, { phase?: string; accessModes?: string[] }>;
type UserPod = AppPod & { spec?: { securityContext?: { runAsUser?: number; runAsGroup?: number; fsGroup?: number } } };

function browse() {
  return {
    validate(ctx: TaskContext) {
      if (!ctx.flags.claim === !ctx.flags.app) throw new UsageError('expected one of --claim NAME or --app NAME (the claim its pods mount)');
      if (ctx.flags.claim && !ctx.flags.namespace) throw new UsageError('--claim needs --namespace');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      let ns = ctx.flags.namespace as string;
      let claimName = ctx.flags.claim as string;
      if (ctx.flags.app) {
        // the claim the app's pods mount (exactly one, or name it with --claim)
        const found = await findAppPods(ctx.kubectl, ctx.flags.app as string, ctx.flags.namespace as string | undefined);
        const claims = [...new Set(found.pods.flatMap((p) => (p.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []))))].sort();
        if (claims.length !== 1) throw new StepFailure(claims.length ? `app ${String(ctx.flags.app)} mounts ${claims.length} claims (${claims.join(', ')})` : `app ${String(ctx.flags.app)} mounts no PersistentVolumeClaim`, claims.length ? `name one: --namespace ${found.namespace} --claim ${claims[0]}` : undefined);
        ns = found.namespace;
        claimName = claims[0]!;
      }
      const claim = await ctx.kubectl.get<Claim>('persistentvolumeclaims', claimName, ns);
      if (!claim) throw new StepFailure(`no PersistentVolumeClaim ${ns}/${claimName}`, `kubectl get pvc -n ${ns}`);
      if (claim.status?.phase !== 'Bound') throw new StepFailure(`claim ${ns}/${claimName} is ${claim.status?.phase ?? 'not bound'}: nothing to mount yet`, `kubectl describe pvc ${claimName} -n ${ns}`);
      const modes = claim.status?.accessModes ?? claim.spec?.accessModes ?? [];
      const users = (await ctx.kubectl.list<UserPod>('pods', { namespace: ns })).filter((p) => !p.metadata.deletionTimestamp
        && p.status?.phase === 'Running' && (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claimName));
      // ReadWriteOncePod: no second pod at all (kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes)
      if (modes.includes('ReadWriteOncePod') && users.length) {
        throw new StepFailure(`claim ${ns}/${claimName} is ReadWriteOncePod and pod ${users[0]!.metadata.name} uses it`, `scale the app down first: npx tsx tasks k8s:scale --namespace ${ns} --app <app> --replicas 0`);
      }
      // ReadWriteOnce: attached to one node; a second pod elsewhere waits on "Multi-Attach error" forever
      const rwo = modes.includes('ReadWriteOnce') && !modes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany');
      const node = rwo ? users[0]?.spec?.nodeName : undefined;
      const sc = users[0]?.spec?.securityContext;
      const securityContext = sc ? Object.fromEntries(Object.entries({ runAsUser: sc.runAsUser, runAsGroup: sc.runAsGroup, fsGroup: sc.fsGroup }).filter(([, v]) => v !== undefined)) : {};
      const rw = ctx.flags.rw === true;
      ctx.data.claim = { name: `${ns}/${claimName}`, accessModes: modes, node: node ?? null, readOnly: !rw, usedBy: users.map((p) => p.metadata.name) };
      return [sessionStep(ctx, {
        purpose: 'browse', namespace: ns, container: 'browse',
        what: `${rw ? 'read-write' : 'read-only'} /data = claim ${ns}/${claimName}${node ? ` on ${node} (where ${users[0]!.metadata.name} has it attached)` : ''}`,
        spec: {
          restartPolicy: 'Never',
          ...(node ? { nodeName: node } : {}),
          // a tainted node (a control plane) may be where the claim is attached
          tolerations: [{ operator: 'Exists' }],
          ...(Object.keys(securityContext).length ? { securityContext } : {}),
          containers: [{
            name: 'browse', image: ctx.flags.image as string, command: ['sleep', String(Math.ceil((ctx.flags['session-timeout'] as number) / 1000) + 120)],
            stdin: true, tty: true, workingDir: '/data',
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: !rw }],
          }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName, readOnly: !rw } }],
        },
        command: (ctx.flags.command as string[] | undefined) ?? [], shell: ['sh'],
        startTimeoutMs: ctx.flags['start-timeout'] as number, sessionTimeoutMs: ctx.flags['session-timeout'] as number,
      })];
    },
  };
}

export default defineTask({
  summary: 'a throwaway pod mounting a claim (read-only unless --rw) on the node it is attached to; a shell or a command; removed on exit',
  example: 'npx tsx tasks k8s:browse-pvc --cluster home --namespace media --claim sonarr -- ls -la /data',
  flags: {
    namespace: { type: 'string', pattern: DNS_LABEL, hint: 'a namespace', description: 'the claim\'s namespace (with --app: default where the app runs)' },
    claim: { type: 'string', pattern: DNS_SUBDOMAIN, hint: 'a PersistentVolumeClaim name', description: 'the claim to mount at /data' },
    app: { type: 'string', pattern: DNS_LABEL, hint: 'an app name', description: 'instead of --claim: the one claim the app\'s pods mount' },
    rw: { type: 'boolean', description: 'mount it read-write (default: read-only)' },
    image: { type: 'string', default: 'docker.io/library/busybox:1.37', pattern: /^[^\s]+$/, hint: 'an image reference', description: 'the image of the throwaway pod' },
    'start-timeout': { type: 'duration', default: 120_000, description: 'deadline for the pod to start' },
    'session-timeout': { type: 'duration', default: 4 * 3_600_000, description: 'deadline for the session (the pod also ends itself then)' },
    command: { type: 'list', rest: true, description: 'the command to run after -- (default: a shell, which needs a terminal)' },
  },
  destructive: false,
  cluster: true,
  impl: browse,
});
