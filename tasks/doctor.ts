// doctor — what rackhand understood from the repository, before its first run: clusters, nodes with their
// addresses, installer image and machine config per node, bootstrap helmfiles with their releases in order, secret
// references, VolSync apps; and every guess, mismatch and broken file. Read-only; needs no reachable cluster (what
// it cannot check is marked unchecked). Exit 0: understood everything; 1: had to guess or found a mismatch;
// 2: a file is broken.
import { clusterNames, configPath } from '../lib/config.ts';
import { ConfigError } from '../lib/config/yaml-errors.ts';
import { examineCluster } from '../lib/doctor/cluster.ts';
import { doctorExit, renderReport, type ClusterReport } from '../lib/doctor/findings.ts';
import { StepFailure, UsageError, type TaskImpl } from '../lib/engine/types.ts';
import { defineTask } from '../lib/engine/define.ts';

function doctor(): TaskImpl {
  return {
    async plan(ctx) {
      return [{
        title: 'read the repository the way rackhand does',
        mutating: false,
        async run() {
          const path = configPath(ctx.flags.config as string | undefined, ctx.env, ctx.cwd);
          let names: string[];
          try {
            // each cluster's own files are read one at a time below: a broken one does not hide the others
            names = await clusterNames(path);
          } catch (err) {
            if (err instanceof ConfigError) throw new UsageError(err.message);
            throw err;
          }
          const wanted = ctx.flags.cluster as string | undefined;
          if (wanted && !names.includes(wanted)) throw new UsageError(`--cluster: no cluster "${wanted}" in ${path}; expected one of ${names.join(', ')}`);
          const reports: ClusterReport[] = [];
          for (const name of wanted ? [wanted] : names) reports.push(await examineCluster(ctx, path, name));
          ctx.data.config = path;
          ctx.data.clusters = reports;
          ctx.out(`${path}\n\n${reports.map(renderReport).join('\n\n')}`);
          const code = doctorExit(reports);
          const count = (l: string) => reports.flatMap((r) => r.findings).filter((f) => f.level === l).length;
          if (code === 2) throw new StepFailure(`${count('broken')} broken file(s) or field(s) (see BROKEN above)`, 'fix them, then npx tsx tasks doctor', 2);
          if (code === 1) throw new StepFailure(`rackhand had to guess ${count('guess')} thing(s) and found ${count('mismatch')} mismatch(es) (see above)`, 'name what was guessed in rackhand.yaml, or confirm the guesses are right', 1);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'what rackhand understood from the repository: clusters, nodes, installers, machine configs, releases, secrets, VolSync',
  description: [
    'Read-only and needs no reachable cluster (what it cannot check is marked unchecked). Lists each cluster of',
    'rackhand.yaml with its nodes (address, role, installer image, machine config), the bootstrap helmfiles and their',
    'releases in install order (helmfile build), the 1Password references of the secret templates and the VolSync apps,',
    'then every guess and mismatch. Exit 0: understood everything; 1: had to guess; 2: a file is broken.',
  ].join('\n'),
  example: 'npx tsx tasks doctor',
  flags: {},
  destructive: false,
  cluster: false,
  impl: doctor,
});
