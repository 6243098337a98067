// pvc:browse — a throwaway pod with an app's PVC mounted at /data, to look at or fix files by hand (the
// `kubectl run ... --overrides` recipe of home-ops Taskfiles). Better than the recipe: the pod is removed in every
// case -- done, failed, Ctrl-C -- so it never keeps a ReadWriteOnce volume away from the app, and it runs as the
// volume's user, not root.
import { defineTask, waitUntil } from 'rackhand';

export default defineTask({
  summary: 'mount a PVC in a throwaway pod, print the exec command, remove the pod when done',
  example: 'npx tsx tasks pvc:browse --cluster home --namespace apps --claim paperless',
  flags: {
    namespace: { type: 'string', description: 'namespace of the PVC', required: true, pattern: /^[a-z0-9-]+$/, hint: 'a namespace' },
    claim: { type: 'string', description: 'the PersistentVolumeClaim', required: true, pattern: /^[a-z0-9.-]+$/, hint: 'a PVC name' },
    image: { type: 'string', description: 'the pod image', default: 'docker.io/library/busybox:1.37.0' },
    uid: { type: 'number', description: 'the user the pod runs as (the app\'s)', default: 1000 },
    timeout: { type: 'duration', description: 'deadline for the pod to run', default: 120_000 },
  },
  destructive: true,
  cluster: true,
  impl: () => ({
    async plan(ctx) {
      const k = ['--kubeconfig', ctx.cluster.kubeconfig, '--context', ctx.cluster.context, '--namespace', ctx.flags.namespace];
      const pod = `browse-${ctx.flags.claim}`.slice(0, 63);
      await ctx.$`kubectl ${k} get persistentvolumeclaim ${ctx.flags.claim}`; // exists, or the run stops here naming it
      // a ReadWriteOnce volume is attached to one node: start next to the pod that has it (elsewhere the pod would
      // wait on a Multi-Attach error)
      const pods = (await ctx.$`kubectl ${k} get pods --output json`).json().items;
      const user = pods.find((p) => p.status?.phase === 'Running' && (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === ctx.flags.claim));
      const manifest = {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
        spec: {
          restartPolicy: 'Never',
          ...(user ? { nodeName: user.spec.nodeName } : {}),
          securityContext: { runAsUser: ctx.flags.uid, runAsGroup: ctx.flags.uid, fsGroup: ctx.flags.uid, runAsNonRoot: true },
          containers: [{ name: 'browse', image: ctx.flags.image, command: ['sleep', '86400'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: ctx.flags.claim } }],
        },
      };
      const remove = () => ctx.$.mutating`kubectl ${k} delete pod ${pod} --ignore-not-found --wait=false`.then(() => undefined);
      return [{
        title: `pod ${pod} with PVC ${ctx.flags.namespace}/${ctx.flags.claim} at /data`,
        cleanup: remove,
        undo: remove,
        byHand: [`kubectl -n ${ctx.flags.namespace} delete pod ${pod}`],
        async run(rt) {
          await ctx.$({ input: JSON.stringify(manifest) }).mutating`kubectl ${k} apply -f -`;
          if (ctx.dryRun) return;
          await waitUntil({
            what: `pod ${pod} to run`, timeoutMs: ctx.flags.timeout, intervalMs: 500, signal: ctx.signal,
            probe: async () => {
              const phase = (await ctx.$`kubectl ${k} get pod ${pod} -o jsonpath={.status.phase}`).text();
              return phase === 'Running' ? { done: true, value: phase } : { done: false, seen: phase || 'Pending' };
            },
          });
          rt.output(`kubectl --context ${ctx.cluster.context} -n ${ctx.flags.namespace} exec -it ${pod} -- sh`);
          ctx.out(`kubectl --context ${ctx.cluster.context} -n ${ctx.flags.namespace} exec -it ${pod} -- sh`);
          await ctx.question('press Enter when done (the pod is removed)', { default: '' });
        },
      }, { title: `remove pod ${pod}`, run: remove }];
    },
  }),
});
