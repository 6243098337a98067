// bootstrap:cluster (aliases bootstrap:infra, bootstrap:apps) — takes a new Talos cluster from maintenance mode to a
// Flux-managed cluster. Every stage probes real state first, so a re-run does only what is left (and nothing on a
// healthy cluster) and an interrupted run continues where it stopped; every wait has --timeout as deadline.
// Stages: machine configs -> etcd -> kubeconfig (0600, identity checked) -> readyz -> nodes registered -> namespaces
// -> secrets (1Password) -> CRDs -> releases -> nodes Ready -> flux check -> first reconcile. Postflight: every
// Flux Kustomization Ready.
import { existsSync } from 'node:fs';
import { readInputs, type BootstrapInputs } from '../../lib/bootstrap/inputs.ts';
import { apiStep, crdsStep, loadReleases, namespacesStep, nodesReadyStep, nodesRegisteredStep, releasesStep, secretsStep } from '../../lib/bootstrap/kube-stages.ts';
import { fluxKustomizationsReady, fluxSteps } from '../../lib/bootstrap/flux-stages.ts';
import { etcdStep, kubeconfigStep, loadMachineConfigs, machineConfigSources, machineConfigSteps } from '../../lib/bootstrap/talos-stages.ts';
import type { MachineConfigSource } from '../../lib/talos/machine-source.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { UsageError, type Check, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { secretSource } from '../../lib/secrets/onepassword.ts';
import { defineTask } from '../../lib/engine/define.ts';

function bootstrapCluster(): TaskImpl {
  let inputs: BootstrapInputs;
  let sources: Map<string, MachineConfigSource>;
  let values: Promise<Map<string, string>> | undefined;
  const resolveSecrets = (ctx: TaskContext) => (values ??= secretSource(ctx.exec, ctx.env).resolve(inputs.references));
  return {
    validate(ctx) {
      const c = ctx.cluster;
      if (c.distribution !== 'talos') throw new UsageError(`clusters.${c.name}.distribution: bootstrap:cluster supports talos clusters (got ${c.distribution})`);
      if (!c.bootstrap) throw new UsageError(`${c.source} clusters.${c.name}.bootstrap: expected the path of the cluster's bootstrap folder, e.g. ./bootstrap/${c.name}`);
      if (!c.talconfig && !c.machineConfig) throw new UsageError(`${c.source} clusters.${c.name}.talconfig: expected the talhelper talconfig.yaml whose clusterconfig/ holds the machine configs (or machineConfig.render: the command that renders one)`);
      sources = machineConfigSources(ctx);
      for (const [name, s] of sources) {
        if (s.kind === 'file' && !existsSync(s.path)) throw new UsageError(`${c.source} clusters.${c.name}: no machine config for ${name} at ${s.path} (talhelper genconfig writes clusterconfig/<clusterName>-<hostname>.yaml, clusterName from talconfig.yaml)`);
      }
      inputs = readInputs(c.bootstrap, `${c.source} clusters.${c.name}`, c.bootstrapFiles);
    },
    preflight: (ctx) => [
      toolPresent('talosctl', ['version', '--client', '--short']),
      toolPresent('helmfile', ['--version']),
      toolPresent('flux', ['--version']),
      secretsResolve(() => resolveSecrets(ctx), () => inputs.references),
    ],
    async plan(ctx) {
      const configs = await loadMachineConfigs(ctx, sources);
      await loadReleases(ctx, inputs);
      return [
        ...machineConfigSteps(ctx, configs),
        etcdStep(ctx),
        kubeconfigStep(ctx),
        apiStep(ctx),
        nodesRegisteredStep(ctx),
        namespacesStep(ctx, inputs),
        secretsStep(ctx, inputs, () => resolveSecrets(ctx)),
        crdsStep(ctx, inputs),
        releasesStep(ctx, inputs),
        nodesReadyStep(ctx),
        ...fluxSteps(ctx),
      ];
    },
    postflight: () => [fluxKustomizationsReady],
  };
}

/** Every op:// reference must resolve before anything changes: a missing item refuses the run (exit 3). */
function secretsResolve(resolve: () => Promise<Map<string, string>>, refs: () => string[]): Check {
  return {
    name: '1Password references resolve',
    async run() {
      try {
        await resolve();
        return { ok: true, message: `${refs().length} reference(s) resolved` };
      } catch (err) {
        return { ok: false, message: (err as Error).message, remedy: 'op whoami; op item get <item> --vault <vault> (check the vault, item and field names in secrets.yaml.tpl)' };
      }
    },
  };
}

export default defineTask({
  summary: 'bootstrap a Talos cluster to Flux: configs, etcd, kubeconfig, namespaces, 1Password secrets, CRDs, releases, Flux',
  description: [
    'Every stage probes real state first: a re-run does only what is left (nothing on a healthy cluster) and an',
    'interrupted run continues where it stopped. Machine configs go to maintenance-mode nodes only. Secrets are',
    'resolved from 1Password (SDK with OP_SERVICE_ACCOUNT_TOKEN, else the op CLI) and never written to disk.',
    'Inputs: clusters.<name>.bootstrap (its helmfiles, found in helmfile.d/, helmfile/ or helmfile.yaml or named; releases as',
    '`helmfile build` reports them; namespaces.yaml optional; secrets.yaml.tpl or *.yaml.tpl) and talconfig.',
  ].join('\n'),
  example: 'npx tsx tasks bootstrap:cluster --cluster infra',
  flags: {
    timeout: { type: 'duration', description: 'deadline for each wait (nodes, etcd, API, releases, Flux)', default: 15 * 60_000 },
    'helmfile-command': { type: 'string', choices: ['sync', 'apply'], default: 'sync', description: 'how releases are installed: helmfile sync (as the community does) or apply (needs the helm-diff plugin)' },
  },
  destructive: true,
  cluster: true,
  // no API before etcd is bootstrapped: no lock, and the target comes from rackhand.yaml
  lock: false,
  identityFrom: 'config',
  // the example clusters of the k8s-ops layout
  aliases: {
    'bootstrap:infra': { summary: 'bootstrap:cluster --cluster infra', example: 'npx tsx tasks bootstrap:infra', presetFlags: { cluster: 'infra' } },
    'bootstrap:apps': { summary: 'bootstrap:cluster --cluster apps', example: 'npx tsx tasks bootstrap:apps', presetFlags: { cluster: 'apps' } },
  },
  impl: bootstrapCluster,
});
