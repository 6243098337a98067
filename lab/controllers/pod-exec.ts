// What `kubectl exec` runs in the lab: the command (argv as given, no $(VAR) expansion) on the host as the container would run it (lab/controllers/
// host-exec.ts: its volume mounts as lab folders, only a few read-only tools plus touch/mkdir), for a pod that is Running
// on a Ready node with that container running. The API server's refusals are kept: a container that is not in the pod
// (pkg/registry/core/pod/strategy.go ExecLocation: `container <c> is not valid for pod <p>`), a pod with several
// containers and none asked for, a container that is not running (kubelet: `container not found ("<c>")`).
import { join } from 'node:path';
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { containerEnv, containerMounts } from './containers.js';
import { runOnHost } from './host-exec.js';
import type { ControllerContext } from './types.js';
import { processUser } from './volume-owners.js';

const EXEC_TIMEOUT_MS = 60_000;

export interface ExecOutcome { exitCode: number; output: string }

/** Picks the container (as ExecLocation does) and refuses what the API server or kubelet refuses: StatusErrors. */
export function execContainer(pod: KObject, asked: string): any {
  const name = pod.metadata.name!;
  const containers: any[] = pod.spec?.containers ?? [];
  if (!asked) {
    if (containers.length !== 1) throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
    asked = containers[0].name;
  }
  const c = [...containers, ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].find((x: any) => x.name === asked);
  if (!c) throw errors.badRequest(`container ${asked} is not valid for pod ${name}`);
  const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === asked);
  if (!st?.state?.running) throw errors.badRequest(`container not found ("${asked}")`);
  return c;
}

export async function execInPod(ctx: ControllerContext, dir: string, pod: KObject, container: any, argv: string[], signal: AbortSignal): Promise<ExecOutcome> {
  const env = ctx.podEnvs?.get(pod.metadata.uid!)?.[container.name] ?? containerEnv(pod, container, ctx.store);
  const mounts = containerMounts(ctx, dir, pod, container);
  const real = await ctx.database?.(pod, container, argv, mounts, join(dir, 'rootfs'), env, signal);
  if (real) { ctx.record('pod-exec', `${pod.metadata.namespace}/${pod.metadata.name}`, `${container.name}: ${argv.join(' ')} => ${real.exitCode}`); return real; }
  const r = await runOnHost({
    argv, mounts, rootfs: join(dir, 'rootfs'),
    ...(container.workingDir ? { workingDir: container.workingDir } : {}), env, timeoutMs: EXEC_TIMEOUT_MS, signal,
    user: processUser(pod, container), readOnlyRootFilesystem: container.securityContext?.readOnlyRootFilesystem === true,
    ...(ctx.internet ? { internet: (url: string) => ctx.internet!(pod, url) } : {}),
  });
  ctx.record('pod-exec', `${pod.metadata.namespace}/${pod.metadata.name}`, `${container.name}: ${argv.join(' ')} => ${r.exitCode}`);
  return { exitCode: r.exitCode, output: r.log };
}
