// k8s:debug-node — a privileged pod on one node (host PID, network and IPC namespaces, the node's root filesystem at
// /host), the shape `kubectl debug node/N --profile=sysadmin` creates; then a shell (with a terminal) or the command
// after --, and the pod is deleted on exit, failure or Ctrl-C. It runs in kube-system by default, which Talos' Pod
// Security admission exempts (talos.dev docs, kubernetes-guides/configuration/pod-security: exemptions.namespaces
// [kube-system]). Better than `kubectl debug node/...`, which leaves its node-debugger pod behind after every session
// (kubernetes/kubectl issue 1268): nothing is left running, and --node takes the node's address too.
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { sessionStep } from '../../lib/k8s/throwaway-pod.ts';
import { DNS_LABEL } from '../../lib/patterns.ts';
import type { Node } from '../../lib/tools/kube-types.ts';

function debugNode() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const node = ctx.flags.node as string;
      const n = await ctx.kubectl.get<Node>('nodes', node);
      if (!n) throw new StepFailure(`no Node ${node} in the cluster`, 'kubectl get nodes -o wide');
      const ns = ctx.flags.namespace as string;
      return [sessionStep(ctx, {
        purpose: 'debug-node', namespace: ns, container: 'debugger',
        what: `privileged shell on node ${node} (its filesystem at /host)`,
        spec: {
          nodeName: node, restartPolicy: 'Never', hostPID: true, hostNetwork: true, hostIPC: true,
          tolerations: [{ operator: 'Exists' }],
          containers: [{
            name: 'debugger', image: ctx.flags.image as string, command: ['sleep', String(Math.ceil((ctx.flags['session-timeout'] as number) / 1000) + 120)],
            stdin: true, tty: true, securityContext: { privileged: true },
            volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
          }],
          volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
        },
        command: (ctx.flags.command as string[] | undefined) ?? [], shell: ['sh'],
        startTimeoutMs: ctx.flags['start-timeout'] as number, sessionTimeoutMs: ctx.flags['session-timeout'] as number,
      })];
    },
  };
}

export default defineTask({
  summary: 'a privileged debug pod on a node (host namespaces, / at /host); a shell or a command; removed on exit',
  example: 'npx tsx tasks k8s:debug-node --cluster home --node w1 -- cat /host/etc/os-release',
  flags: {
    node: { ...NODE, required: true, description: 'the node (name or address)' },
    namespace: { type: 'string', default: 'kube-system', pattern: DNS_LABEL, hint: 'a namespace', description: 'where the pod runs (it must allow privileged pods)' },
    image: { type: 'string', default: 'docker.io/library/alpine:3.22', pattern: /^[^\s]+$/, hint: 'an image reference', description: 'the debug image' },
    'start-timeout': { type: 'duration', default: 120_000, description: 'deadline for the pod to start' },
    'session-timeout': { type: 'duration', default: 4 * 3_600_000, description: 'deadline for the session (the pod also ends itself then)' },
    command: { type: 'list', rest: true, description: 'the command to run after -- (default: a shell, which needs a terminal)' },
  },
  destructive: false,
  cluster: true,
  impl: debugNode,
});
