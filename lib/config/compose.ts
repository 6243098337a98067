// The compose: section of rackhand.yaml: the Git checkouts compose files come from, and the Docker hosts with how to
// reach them (rackhand's SSH layer: the real OpenSSH client, a known_hosts rackhand manages) and which repository
// folder each host's projects live in (a path map from repository to host). Secret keys: environment keys whose
// values are compared by hash and never printed (globs, added to the built-in PASSWORD/SECRET/TOKEN/API_KEY rules).
import { z } from 'zod';
import { text } from '../validate.ts';
import { sshSchema } from './schema-ssh.ts';

const name = (what: string) => z.string().regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, `expected a ${what} name (lowercase letters, digits, "-", "_", ".")`);

export const composeSchema = z.strictObject({
  repos: z.record(name('repository'), z.strictObject({
    /** the local Git checkout, relative to rackhand.yaml */
    path: text('expected the path of a local Git checkout, like ../homelab-apps'),
    /** the revision compared (default HEAD): origin/main compares what is pushed */
    ref: text('expected a Git revision like HEAD or origin/main', /^[\w./@^~-]+$/).optional(),
  })),
  hosts: z.record(name('host'), z.strictObject({
    address: text('expected a host name or address, like docker1.home.arpa'),
    ssh: sshSchema.optional(),
    /** run docker through `sudo -n` (a login not in the docker group) */
    sudo: z.boolean({ error: 'expected true or false' }).optional(),
    /** where this host's projects come from: a folder of a repository and the folder it is on the host */
    sources: z.array(z.strictObject({
      repo: name('repository'),
      repoPath: z.string({ error: 'expected a folder of the repository ("" for its root)' }).regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0]*$/, 'expected a relative folder of the repository without ".."'),
      hostPath: text('expected an absolute folder on the host, like /opt/stacks', /^\//),
    })).min(1, { error: 'expected at least one source { repo, repoPath, hostPath }' }),
  })),
  secretKeys: z.array(text('expected an environment key or glob, like *_PASSWORD')).optional(),
}).superRefine((c, ctx) => {
  for (const [h, host] of Object.entries(c.hosts)) {
    host.sources.forEach((s, i) => {
      if (!c.repos[s.repo]) ctx.addIssue({ code: 'custom', path: ['hosts', h, 'sources', i, 'repo'], message: `expected one of the repos (${Object.keys(c.repos).join(', ') || 'none defined'}), got "${s.repo}"` });
    });
  }
});
export type ComposeConfig = z.infer<typeof composeSchema>;
