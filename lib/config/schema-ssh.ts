// How rackhand reaches a machine over SSH (k3s nodes, Docker Compose hosts).
import { z } from 'zod';
import { text } from '../validate.ts';

/** The cluster's `ssh` is the default for each node's own; a compose host has its own. */
export const sshSchema = z.strictObject({
  user: text('expected a login name, e.g. ubuntu', /^[a-z_][a-z0-9_.-]*$/).optional(),
  port: z.number({ error: 'expected a TCP port number, e.g. 22' }).int().min(1).max(65535).optional(),
  /** a private key file; default: the ssh client's own (ssh-agent, ~/.ssh/config) */
  key: text('expected a path to a private key file, e.g. ~/.ssh/id_ed25519').optional(),
  /** the known_hosts file rackhand manages for these hosts (default .rackhand/known_hosts next to rackhand.yaml) */
  knownHosts: text('expected a path to a known_hosts file').optional(),
});
