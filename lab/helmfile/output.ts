// What helm and helmfile print, as text. Sources: helm pkg/cli/output + cmd/helm/status.go (the status block),
// cmd/helm/list.go (uitable rows), helmfile pkg/helmexec/exit_error.go (newExitError, Indent), pkg/state
// AffectedReleases.DisplayAffectedReleases (the UPDATED/FAILED RELEASES tables; the NAMESPACE and DURATION columns of
// helmfile 1.x are taken from its printed output, not its source: approximate).

/** the helm binary helmfile runs, as its errors name it (helmfile resolves `helm` on PATH; the path is approximate) */
export const HELM = '/usr/local/bin/helm';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Go time.ANSIC "Mon Jan _2 15:04:05 2006" in local time (helm's LAST DEPLOYED) */
export function ansic(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${d.getFullYear()}`;
}

/** Go's time.Time String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC" */
export function goTime(d: Date): string {
  const frac = String(d.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '');
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${frac ? `.${frac}` : ''} +0000 UTC`;
}

/** Go time.Duration rounded to seconds: "0s", "15s", "1m39s" */
export function goSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m ? `${m}m${s % 60}s` : `${s}s`;
}

/** helm's status block after install/upgrade (cmd/helm/status.go statusPrinter, table output) */
export function statusBlock(r: { name: string; namespace: string; revision: number; deployed: Date }): string {
  return `NAME: ${r.name}\nLAST DEPLOYED: ${ansic(r.deployed)}\nNAMESPACE: ${r.namespace}\nSTATUS: deployed\nREVISION: ${r.revision}\nTEST SUITE: None\n`;
}

/** one `helm list` row after helmfile drops the header (pkg/helmexec/exec.go List): uitable cells padded to the
 *  widest of header and row, tab separated */
export function listRow(r: { name: string; namespace: string; revision: number; updated: Date; status: string; chart: string; appVersion: string }): string {
  const header = ['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'];
  const row = [r.name, r.namespace, String(r.revision), goTime(r.updated), r.status, r.chart, r.appVersion];
  return row.map((c, i) => c.padEnd(Math.max(c.length, header[i]!.length))).join('\t');
}

export interface AffectedRelease {
  name: string;
  namespace: string;
  chart: string;
  version: string;
  durationMs: number;
}

/** prettytable with a 3-space separator; DURATION right-aligned */
function table(rows: AffectedRelease[]): string {
  const cells = [['NAME', 'NAMESPACE', 'CHART', 'VERSION', 'DURATION'], ...rows.map((r) => [r.name, r.namespace, r.chart, r.version, goSeconds(r.durationMs)])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === c.length - 1 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('   ')).join('\n');
}

export function affectedReleases(updated: AffectedRelease[], failed: AffectedRelease[], deleted: string[] = []): string {
  let out = '';
  if (updated.length) out += `\nUPDATED RELEASES:\n${table(updated)}\n`;
  if (deleted.length) out += `\nDELETED RELEASES:\nNAME\n${deleted.join('\n')}\n`;
  if (failed.length) out += `\nFAILED RELEASES:\n${table(failed)}\n`;
  return out;
}

/** pkg/helmexec/exit_error.go Indent: note that the last non-empty line is NOT preceded by a newline when the text
 *  does not end with one (upstream's quirk) */
export function indent(text: string, prefix: string): string {
  const lines = text.split('\n');
  const last = lines.length - 1;
  let out = '';
  lines.forEach((l, i) => {
    if (i > 0 && i < last && l !== '') out += '\n';
    if (l !== '') out += prefix + l;
  });
  return out;
}

/** pkg/helmexec/exit_error.go newExitError: `command "<path>" exited with non-zero status:` and the PATH/ARGS/ERROR/
 *  EXIT STATUS/STDERR/COMBINED OUTPUT sections */
export function exitError(args: string[], stderr: string, combined: string, code = 1): string {
  let out = `PATH:\n${indent(HELM, '  ')}\n\nARGS:`;
  for (const [i, a] of args.entries()) out += `\n${indent(`${i}: ${a} (${Buffer.byteLength(a)} bytes)`, '  ')}`;
  out += `\n\nERROR:\n${indent(`exit status ${code}`, '  ')}`;
  out += `\n\nEXIT STATUS\n${indent(String(code), '  ')}`;
  if (stderr) out += `\n\nSTDERR:\n${indent(stderr, '  ')}`;
  if (combined) out += `\n\nCOMBINED OUTPUT:\n${indent(combined, '  ')}`;
  return `command ${JSON.stringify(HELM)} exited with non-zero status:\n\n${out}`;
}
