// One check of one service, whatever goes wrong: an unreachable service, a key that could not be read, a rejected login
// or an answer of the wrong shape becomes a failing finding naming the service and the check, never an exception that
// hides the other services' results.
import { fail, type Finding } from '../health/findings.ts';
import { KeyMissing, LoginRejected, Unreachable, type Service } from './stack.ts';

export async function guard(s: Service, check: string, f: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof Unreachable) return [fail(s.name, 'reachable', `unreachable at ${s.endpoint.where}: ${err.message.replace(/^.*unreachable: /, '')}`)];
    if (err instanceof KeyMissing) return [fail(s.name, 'api key', err.message.replace(/^[^:]+: /, ''))];
    if (err instanceof LoginRejected) return [fail(s.name, 'login', err.message.replace(/^[^:]+: /, ''))];
    return [fail(s.name, check, (err as Error).message)];
  }
}

/** an answer that is not 2xx, as a message: 401/403 name the key's source */
export function httpProblem(s: Service, status: number, what: string): string {
  if (status === 401 || status === 403) return `${what}: HTTP ${status}, the ${s.kind === 'qbittorrent' ? 'session' : 'API key'} from ${s.key?.source ?? s.password?.source ?? 'the configuration'} was rejected`;
  return `${what}: HTTP ${status}`;
}
