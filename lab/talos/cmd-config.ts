// `talosctl apply-config` and `talosctl upgrade-k8s`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { type Command, CliError, type Ctx, err, out, reach, targets } from './command.js';
import type { Machine } from './machine.js';
import { machineConfigText } from './cmd-info.js';
import { INSECURE } from './flags.js';

// The ModeDetails machined answers with (internal/app/machined/internal/server/v1alpha1 ApplyConfiguration), which
// helpers.PrintApplyResults writes to stderr. Recalled from upstream, not re-read: treat the wording as approximate.
const MODE_DETAILS: Record<string, string> = {
  auto: 'Applied configuration without a reboot',
  'no-reboot': 'Applied configuration without a reboot',
  reboot: 'Applied configuration with a reboot',
  staged: 'Staged configuration to be applied after a reboot',
  try: 'Applied configuration without a reboot (try mode)',
};

function diff(before: string, after: string): string {
  if (before === after) return 'No changes.';
  const a = before.split('\n');
  const b = after.split('\n');
  return ['--- a', '+++ b', ...a.filter((l) => !b.includes(l)).map((l) => `-${l}`), ...b.filter((l) => !a.includes(l)).map((l) => `+${l}`)].join('\n');
}

export const applyConfigCmd: Command = {
  path: 'apply-config',
  aliases: ['apply'],
  args: { max: 1 },
  flags: [
    { name: 'file', short: 'f', type: 'string', usage: 'the filename of the updated configuration' },
    { ...INSECURE, usage: 'apply the config using the insecure (encrypted with no auth) maintenance service' },
    { name: 'dry-run', type: 'bool', usage: 'check how the config change will be applied in dry-run mode' },
    { name: 'cert-fingerprint', type: 'strings', usage: 'list of server certificate fingeprints to accept (defaults to no check)' },
    { name: 'config-patch', short: 'p', type: 'strings', usage: 'the list of config patches to apply to the local config file before sending it to the node' },
    { name: 'timeout', type: 'duration', default: 60_000, usage: 'the config will be rolled back after specified timeout (if try mode is selected)' },
    { name: 'mode', short: 'm', type: 'string', default: 'auto', usage: 'apply config mode' },
  ],
  // apply-config.go: "no filename supplied for configuration", "failed to read configuration from %q: %w",
  // "no configuration data read", "error applying new configuration: %s"
  async run(c) {
    const mode = c.flags.mode as string;
    if (!['auto', 'no-reboot', 'reboot', 'staged', 'try', 'interactive'].includes(mode)) throw new CliError(`invalid argument ${JSON.stringify(mode)} for "-m, --mode" flag: possible options are: auto, no-reboot, reboot, staged, try, interactive`);
    if (!c.flags.file) throw new CliError('no filename supplied for configuration');
    let text: string;
    try {
      // os.ReadFile of /dev/stdin reads what the caller piped in (talosctl apply-config -f /dev/stdin)
      text = c.flags.file === '/dev/stdin' && c.stdin !== undefined ? c.stdin : await readFile(resolve(c.cwd, c.flags.file), 'utf8');
    } catch (e) {
      throw new CliError(`failed to read configuration from ${JSON.stringify(c.flags.file)}: open ${c.flags.file}: no such file or directory`);
    }
    if (!text.length) throw new CliError('no configuration data read');
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (e) {
      throw new CliError(`error applying new configuration: rpc error: code = InvalidArgument desc = failed to parse config: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const node of targets(c)) {
      const r = reach(c, node, c.flags.insecure);
      if (r.error) throw new CliError(`error applying new configuration: ${r.error.message}`);
      const m = r.machine!;
      const invalid = validateConfig(doc, m);
      if (invalid) throw new CliError(`error applying new configuration: rpc error: code = InvalidArgument desc = ${invalid}`);
      if (c.flags['dry-run']) {
        const summary = m.configured ? `${MODE_DETAILS[mode] ?? MODE_DETAILS.auto} (skipped in dry-run).\n\nConfig diff:\n\n${diff(machineConfigText(m), text)}` : 'Node is running in maintenance mode and does not have a config yet.';
        err(c, `Dry run summary:\n${summary}\n`);
        continue;
      }
      c.world.deps.record('talos-apply-config', m.name, c.flags.insecure ? `${mode} (insecure)` : mode);
      m.config = text;
      m.touch();
      if (!m.configured) {
        void c.world.configure(m).catch(() => undefined);
        continue;
      }
      err(c, `${MODE_DETAILS[mode] ?? MODE_DETAILS.auto}\n`);
      if (mode === 'reboot') void c.world.reboot(m, 'apply-config').catch(() => undefined);
    }
  },
};

/**
 * What machined refuses before it applies a config (ApplyConfiguration => cfgProvider.Validate, codes.InvalidArgument).
 * pkg/machinery/config/machine ParseType: `unknown machine type: %q` (init, controlplane, worker/join). The role and
 * cluster-name checks are LAB RULES with no upstream equivalent (a real machine becomes whatever its config says): they
 * catch a config applied to the wrong node. Validation errors come as a hashicorp/go-multierror text.
 */
function validateConfig(doc: unknown, m: Machine): string | undefined {
  const cfg = (doc && typeof doc === 'object' ? doc : {}) as { version?: unknown; kind?: unknown; machine?: { type?: unknown }; cluster?: { clusterName?: unknown } };
  // configloader decodes each document by kind/version; a document that is neither is refused (recalled from
  // siderolabs/talos pkg/machinery/config/configloader/internal/decoder: "missing kind"; v1alpha1_validation.go:
  // "machine instructions are required", "cluster instructions are required": approximate wording)
  if (cfg.version !== 'v1alpha1' && cfg.kind === undefined) return 'failed to parse config: missing kind';
  const required = [cfg.machine ? '' : 'machine instructions are required', cfg.cluster ? '' : 'cluster instructions are required'].filter(Boolean);
  if (required.length) return `${required.length} error${required.length === 1 ? '' : 's'} occurred:\n${required.map((p) => `\t* ${p}`).join('\n')}\n\n`;
  const type = cfg.machine?.type;
  const problems: string[] = [];
  if (type !== undefined) {
    const role = { init: 'controlplane', controlplane: 'controlplane', worker: 'worker', join: 'worker' }[String(type)];
    if (!role) return `unknown machine type: ${JSON.stringify(String(type))}`;
    if (role !== m.role) problems.push(`machine.type ${JSON.stringify(type)} does not match the lab topology: node ${m.name} is a ${m.role}`);
  }
  const name = cfg.cluster?.clusterName;
  if (name !== undefined && name !== m.cluster) problems.push(`cluster.clusterName ${JSON.stringify(name)} does not match the lab topology: node ${m.name} belongs to cluster ${JSON.stringify(m.cluster)}`);
  if (!problems.length) return undefined;
  return `${problems.length} error${problems.length === 1 ? '' : 's'} occurred:\n${problems.map((p) => `\t* ${p}`).join('\n')}\n\n`;
}

const bare = (v: string) => v.replace(/^v/, '');

export const upgradeK8sCmd: Command = {
  path: 'upgrade-k8s',
  args: { exact: 0 },
  flags: [
    { name: 'from', type: 'string', usage: 'the Kubernetes control plane version to upgrade from' },
    { name: 'to', type: 'string', default: '1.35.0', usage: 'the Kubernetes control plane version to upgrade to' },
    { name: 'dry-run', type: 'bool', usage: 'skip the actual upgrade and show the upgrade plan instead' },
    { name: 'endpoint', type: 'string', usage: 'the cluster control plane endpoint' },
    { name: 'pre-pull-images', type: 'bool', default: true, usage: 'pre-pull images before upgrade' },
    { name: 'upgrade-kubelet', type: 'bool', default: true, usage: 'upgrade kubelet service' },
    { name: 'manifests-no-wait', type: 'bool' },
  ],
  // cmd/talosctl/cmd/talos/upgrade-k8s.go + pkg/cluster/kubernetes/talos_managed.go progress lines (" > ", " < ");
  // the exact wording is approximate.
  async run(c: Ctx) {
    const node = targets(c)[0]!;
    const r = reach(c, node);
    if (r.error) throw new CliError(`error getting Kubernetes version: ${r.error.message}`);
    if (!r.machine!.controlPlane) throw new CliError('error: upgrade-k8s must be run against a control plane node');
    const { kube, record } = c.world.deps;
    const from = bare(c.flags.from || kube.kubernetesVersion());
    const to = bare(c.flags.to);
    if (!/^\d+\.\d+\.\d+$/.test(to)) throw new CliError(`error parsing target version: Invalid character(s) found in patch number ${JSON.stringify(to)}`);
    const cps = c.world.machines.filter((m) => m.controlPlane && m.configured);
    const workers = c.world.machines.filter((m) => !m.controlPlane && m.configured);
    if (!c.flags.from) out(c, `automatically detected the lowest Kubernetes version ${from}\n`);
    out(c, `discovered controlplane nodes [${cps.map((m) => JSON.stringify(m.address)).join(' ')}]\n`);
    out(c, `discovered worker nodes [${workers.map((m) => JSON.stringify(m.address)).join(' ')}]\n`);
    out(c, 'checking for removed Kubernetes component flags\nchecking for removed Kubernetes API resource versions\n');
    const step = (line: string) => out(c, c.flags['dry-run'] ? `${line}\n > skipped in dry-run\n` : `${line}\n`);
    for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      out(c, `updating ${JSON.stringify(component)} to version ${JSON.stringify(to)}\n`);
      for (const m of cps) {
        out(c, ` > ${JSON.stringify(m.address)}: starting update\n`);
        step(` > update ${component}: v${from} -> ${to}`);
        if (!c.flags['dry-run']) out(c, ` > ${JSON.stringify(m.address)}: machine configuration patched\n > ${JSON.stringify(m.address)}: waiting for ${component} pod update\n < ${JSON.stringify(m.address)}: successfully updated\n`);
      }
    }
    if (!c.flags['dry-run']) kube.setKubernetesVersion(`v${to}`);
    if (c.flags['upgrade-kubelet']) {
      out(c, `updating kubelet to version ${JSON.stringify(to)}\n`);
      for (const m of [...cps, ...workers]) {
        out(c, ` > ${JSON.stringify(m.address)}: starting update\n`);
        step(` > update kubelet: v${from} -> ${to}`);
        if (c.flags['dry-run']) continue;
        kube.setNodeInfo(m.name, { kubeletVersion: `v${to}`, kubeProxyVersion: `v${to}` });
        out(c, ` > ${JSON.stringify(m.address)}: machine configuration patched\n > ${JSON.stringify(m.address)}: waiting for kubelet restart\n > ${JSON.stringify(m.address)}: waiting for node update\n < ${JSON.stringify(m.address)}: successfully updated\n`);
      }
    }
    out(c, 'updating manifests\n');
    if (!c.flags['dry-run']) record('talos-upgrade-k8s', node, `v${to}`);
  },
};
