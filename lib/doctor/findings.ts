// What `doctor` reports: what it read, and each thing it had to guess, found inconsistent or could not check.
export type Level = 'guess' | 'mismatch' | 'broken' | 'unchecked';
export interface Finding { level: Level; where: string; message: string }

export interface NodeRow {
  name: string;
  address: string;
  role: string;
  /** the hostname as talconfig writes it, when the node registers under another name */
  hostname?: string;
  installer: string;
  extensions?: string[];
  machineConfig: string;
  /** (k3s) how rackhand reaches it and what k3s:install gives it */
  ssh?: string;
  install?: string;
}

export interface ClusterReport {
  name: string;
  distribution?: string;
  apiServer?: string;
  context?: string;
  talconfig?: string;
  nodes: NodeRow[];
  /** per apps helmfile, release ids in the order helmfile installs them */
  releases: { file: string; releases: string[] }[];
  crdHelmfiles: string[];
  secretReferences: string[];
  volsync: { app: string; mover: string; pvc: string; alsoBackedUpBy: string[] }[];
  findings: Finding[];
}

/** exit 2 when a file is broken, 1 when something was guessed or does not match, else 0 (unchecked is not a fault) */
export function doctorExit(reports: ClusterReport[]): 0 | 1 | 2 {
  const levels = new Set(reports.flatMap((r) => r.findings.map((f) => f.level)));
  return levels.has('broken') ? 2 : levels.has('guess') || levels.has('mismatch') ? 1 : 0;
}

export function renderReport(r: ClusterReport): string {
  const out: string[] = [`cluster ${r.name}${r.distribution ? ` (${r.distribution}${r.apiServer ? `, ${r.apiServer}, context ${r.context}` : ''})` : ''}`];
  if (r.talconfig) out.push(`  talconfig: ${r.talconfig}`);
  if (r.nodes.length) {
    out.push('  nodes:');
    for (const n of r.nodes) {
      out.push(`    ${n.name} ${n.address} ${n.role}${n.hostname ? ` (hostname ${n.hostname})` : ''}`);
      if (n.ssh !== undefined) {
        out.push(`      ssh: ${n.ssh}`);
        out.push(`      install: ${n.install}`);
        continue;
      }
      out.push(`      installer: ${n.installer}${n.extensions ? ` (${n.extensions.length ? n.extensions.join(', ') : 'no extensions'})` : ''}`);
      out.push(`      machine config: ${n.machineConfig}`);
    }
  }
  if (r.crdHelmfiles.length) out.push(`  CRDs from: ${r.crdHelmfiles.join(', ')}`);
  for (const f of r.releases) out.push(`  releases of ${f.file}: ${f.releases.join(' -> ') || '(none)'}`);
  if (r.secretReferences.length) out.push(`  1Password references (not resolved): ${r.secretReferences.join(', ')}`);
  for (const v of r.volsync) out.push(`  VolSync ${v.app}: ${v.mover} mover, PVC ${v.pvc}${v.alsoBackedUpBy.length ? `, also backed up by ${v.alsoBackedUpBy.join(', ')}` : ''}`);
  for (const f of r.findings) out.push(`  ${f.level.toUpperCase().padEnd(9)} ${f.where}: ${f.message}`);
  if (!r.findings.length) out.push('  understood everything');
  return out.join('\n');
}
