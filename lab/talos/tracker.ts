// What talosctl's action tracker prints off a TTY (cmd/talosctl/pkg/talos/action/tracker.go runReporter:
// `fmt.Fprintf(os.Stderr, "%q: %v\n", node, message)`), with the messages of action/node.go: "waiting for actor ID",
// "actor ID: %v", "task: %s action: %v", "unavailable, retrying...", "events check condition met", "post check passed".
// On failure the tracker prints the error as the node's last update and suppresses the command error
// (common.SuppressErrors), so the exit code is 1 with nothing else on stderr.
import { CliError, type Ctx, err } from './command.js';
import type { Machine } from './machine.js';

export const track = (c: Ctx, node: string, message: string) => err(c, `${JSON.stringify(node)}: ${message}\n`);

/** Raised after the tracker already printed the failure: exit 1, no extra text. */
export class SuppressedError extends CliError {}

/** the MachineReadyEventFn + BootIDChangedPostCheckFn wait, bounded by deadline (epoch ms) */
export async function trackUntilReady(c: Ctx, node: string, m: Machine, bootBefore: string, deadline: number): Promise<void> {
  track(c, node, 'unavailable, retrying...');
  const ok = await c.world.waitReady(m, deadline);
  if (!ok || m.bootId === bootBefore) {
    track(c, node, 'context deadline exceeded');
    throw new SuppressedError('context deadline exceeded');
  }
  track(c, node, 'events check condition met');
  track(c, node, 'post check passed');
}
