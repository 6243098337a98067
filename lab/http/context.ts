// What every handler needs: the kinds, the store, the clock, the version to report and the lab's event log.
import type { Authorizer } from './authz.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../kinds/registry.js';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';

export interface ApiContext {
  registry: Registry;
  store: Store;
  gitVersion: string;
  now(): number;
  /** host:port, for /api serverAddressByClientCIDRs */
  serverAddress(): string;
  /** appends to the lab's event log (pod-evicted, ...) */
  record(type: string, object: string, detail?: string): void;
  /** what a pod's container printed (pods/log); previous: its last terminated run. undefined: nothing recorded */
  podLogs?: (pod: KObject, container: string, previous: boolean) => string | undefined;
  /** kubectl exec (lab/http/exec.ts): check picks the container or throws the API server's refusal; run runs argv */
  podExec?: { check(pod: KObject, container: string): any; run(pod: KObject, container: any, argv: string[], signal: AbortSignal): Promise<{ exitCode: number; output: string }> };
  /** the /_lab/ side channel; returns false when the path is unknown */
  labApi?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
  /** the loopback port of the fake that backs a Service port (lab/media), for the service proxy */
  serviceBackend?: (namespace: string, service: string, port: number) => number | undefined;
  /** RBAC for ServiceAccount tokens the lab issued (lab/http/authz.ts) */
  authorizer?: Authorizer;
}

export function isDryRun(q: URLSearchParams): boolean {
  return q.getAll('dryRun').includes('All');
}
