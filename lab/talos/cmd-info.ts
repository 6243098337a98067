// `talosctl version` and `talosctl get` (version, machinestatus, machineconfig, members).
import { createHash } from 'node:crypto';
import { type Command, CliError, type Ctx, multiError, out, reach, targets, warning } from './command.js';
import { INSECURE } from './flags.js';
import type { Machine } from './machine.js';
import { type Resource, resourceJson, resourceYaml, rfc3339, tabwrite } from './output.js';

const goVersion = (v: string) => (v.startsWith('v1.13') ? 'go1.26.1' : v.startsWith('v1.12') ? 'go1.25.5' : 'go1.24.11');
const sha = (v: string) => createHash('sha1').update(`talos ${v}`).digest('hex').slice(0, 8);

// pkg/machinery/version/version.go versionTemplate (PrintLongVersion / PrintLongVersionFromExisting)
const longVersion = (tag: string) => `\tTag:         ${tag}\n\tSHA:         ${sha(tag)}\n\tBuilt:       \n\tGo version:  ${goVersion(tag)}\n\tOS/Arch:     linux/amd64\n`;

export const versionCmd: Command = {
  path: 'version',
  args: { exact: 0 },
  flags: [
    { name: 'short', type: 'bool', usage: 'Print the short version' },
    { name: 'client', type: 'bool', usage: 'Print client version only' },
    { name: 'json', type: 'bool', hidden: true },
    INSECURE,
  ],
  // cmd/talosctl/cmd/talos/version.go: "Client:", PrintShortVersion ("Talos vX") or the long template, then
  // "Server:" and per node "\tNODE:        <node>" + the long template + "\tEnabled:     RBAC"
  async run(c) {
    out(c, `Client:\n${c.flags.short ? `Talos ${c.world.clientVersion}\n` : longVersion(c.world.clientVersion)}`);
    if (c.flags.client) return;
    out(c, 'Server:\n');
    const failures: { node: string; message: string }[] = [];
    for (const node of targets(c)) {
      const r = reach(c, node, c.flags.insecure);
      if (r.error) { failures.push({ node, message: r.error.message }); continue; }
      out(c, `\t${'NODE'}:        ${node}\n${longVersion(r.machine!.version)}\tEnabled:     ${r.machine!.configured ? 'RBAC' : ''}\n`);
    }
    failWith(c, failures, 'error getting version');
  },
};

/**
 * Errors of a multi-node call. >= v1.13 (client factory, multiplex per node): "error getting version from node X:
 * <err>" joined by errors.Join. <= v1.12 (one apid-proxied call): all failed => "<prefix>: <multierror>", some failed
 * => a WARNING with the multierror and exit 0, as client.FilterMessages + cli.Warning do.
 */
export function failWith(c: Ctx, failures: { node: string; message: string }[], prefix: string, total = targets(c).length): void {
  if (!failures.length) return;
  if (c.gen13) throw new CliError(failures.map((f) => `${prefix} from node ${f.node}: ${f.message}`).join('\n'));
  if (failures.length === total) throw new CliError(`${prefix}: ${multiError(failures)}`.trimEnd());
  warning(c, multiError(failures));
}

interface Kind {
  names: string[];
  namespace: string;
  type: string;
  /** the TYPE column of the table output */
  short: string;
  columns: string[];
  list(c: Ctx, m: Machine, insecure: boolean): { id: string; owner: string; spec: unknown; cells: string[] }[];
}

const KINDS: Kind[] = [
  {
    // pkg/machinery/resources/runtime/version.go (talosctl get version -o json => spec.version, since v1.10)
    names: ['version', 'versions', 'Versions.runtime.talos.dev'], namespace: 'runtime', type: 'Versions.runtime.talos.dev', short: 'Version', columns: ['VERSION'],
    list: (_c, m) => [{ id: 'version', owner: '', spec: { version: m.version }, cells: [m.version] }],
  },
  {
    // pkg/machinery/resources/runtime/machine_status.go: spec{stage, status{ready, unmetConditions[{name, reason}]}}
    names: ['machinestatus', 'machinestatuses', 'MachineStatuses.runtime.talos.dev', 'ms'], namespace: 'runtime', type: 'MachineStatuses.runtime.talos.dev', short: 'MachineStatus', columns: ['STAGE', 'READY'],
    list: (c, m) => {
      const st = c.world.machineStatus(m);
      return [{ id: 'machine', owner: 'runtime.MachineStatusController', spec: { stage: st.stage, status: { ready: st.ready, unmetConditions: st.unmetConditions } }, cells: [st.stage, String(st.ready)] }];
    },
  },
  {
    names: ['machineconfig', 'machineconfigs', 'mc', 'MachineConfigs.config.talos.dev'], namespace: 'config', type: 'MachineConfigs.config.talos.dev', short: 'MachineConfig', columns: [],
    list: (_c, m) => (m.configured ? [{ id: 'v1alpha1', owner: '', spec: machineConfigText(m), cells: [] }] : []),
  },
  {
    // pkg/machinery/resources/runtime/extension_status.go: ExtensionStatuses.runtime.talos.dev (alias "extensions"),
    // ids 0.., spec{image, metadata{name, version, author, description, compatibility}}, columns NAME VERSION
    names: ['extensions', 'extension', 'extensionstatus', 'extensionstatuses', 'ExtensionStatuses.runtime.talos.dev'], namespace: 'runtime', type: 'ExtensionStatuses.runtime.talos.dev', short: 'ExtensionStatus', columns: ['NAME', 'VERSION'],
    list: (c, m) => c.world.extensions(m).map((e, i) => ({
      id: String(i), owner: 'runtime.ExtensionStatusController',
      spec: { image: e.image, metadata: { name: e.name, version: e.version, author: 'Sidero Labs', description: '', compatibility: { talos: { version: '>= v1.0.0' } } } },
      cells: [e.name, e.version],
    })),
  },
  {
    // pkg/machinery/resources/cluster/member.go (discovery members)
    names: ['members', 'member', 'Members.cluster.talos.dev'], namespace: 'cluster', type: 'Members.cluster.talos.dev', short: 'Member', columns: ['HOSTNAME', 'MACHINE TYPE', 'OS', 'ADDRESSES'],
    list: (c) => c.world.machines.filter((x) => x.configured).map((x) => ({
      id: x.name, owner: 'cluster.MemberController',
      spec: { nodeId: createHash('sha256').update(x.name).digest('base64url').slice(0, 43), addresses: [x.address], hostname: x.name, machineType: x.role, operatingSystem: `Talos (${x.version})` },
      cells: [x.name, x.role, `Talos (${x.version})`, `["${x.address}"]`],
    })),
  },
];

export function machineConfigText(m: Machine): string {
  return m.config ?? `version: v1alpha1\nmachine:\n    type: ${m.role}\n    install:\n        image: ${m.image}\ncluster:\n    clusterName: ${m.cluster}\n`;
}

export const getCmd: Command = {
  path: 'get',
  aliases: ['g'],
  args: { max: 2 },
  flags: [
    { name: 'output', short: 'o', type: 'string', default: 'table', usage: 'output mode (json, table, yaml, jsonpath)' },
    { name: 'namespace', type: 'string', usage: 'resource namespace (default is to use default namespace per resource)' },
    INSECURE,
  ],
  async run(c) {
    const [type, id] = c.args;
    if (!type) throw new CliError('requires at least 1 arg(s), only received 0');
    const kind = KINDS.find((k) => k.names.some((n) => n.toLowerCase() === type.toLowerCase()));
    if (!kind) throw new CliError(`error getting resource definition: resource definition for ${JSON.stringify(type)} not found`);
    const format = c.flags.output as string;
    if (!['table', 'json', 'yaml'].includes(format)) throw new CliError(`unknown output mode ${JSON.stringify(format)}`);
    const failures: { node: string; message: string }[] = [];
    const rows: string[] = [];
    let first = true;
    for (const node of targets(c)) {
      const r = reach(c, node, c.flags.insecure);
      if (r.error) { failures.push({ node, message: r.error.message }); continue; }
      const m = r.machine!;
      for (const item of kind.list(c, m, c.flags.insecure).filter((i) => !id || i.id === id)) {
        const res: Resource = { namespace: kind.namespace, type: kind.type, id: item.id, version: m.resourceVersion, owner: item.owner, created: rfc3339(m.created), updated: rfc3339(m.updated), spec: item.spec };
        if (format === 'json') out(c, resourceJson(node, res));
        else if (format === 'yaml') out(c, resourceYaml(node, res, first));
        else rows.push([node, kind.namespace, kind.short, item.id, String(m.resourceVersion), ...item.cells].join('\t'));
        first = false;
      }
    }
    // output/table.go: NODE NAMESPACE TYPE ID VERSION + the resource's print columns
    if (format === 'table' && (rows.length || !failures.length)) out(c, tabwrite(`${['NODE', 'NAMESPACE', 'TYPE', 'ID', 'VERSION', ...kind.columns].join('\t')}\n${rows.map((r) => `${r}\n`).join('')}`));
    failWith(c, failures, 'error getting resources');
  },
};
