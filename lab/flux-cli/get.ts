// flux get kustomizations|ks, helmreleases|hr, sources git [NAME] [-A] [--no-header] [--status-selector ready=true] [-l sel]
// (fluxcd/flux2 cmd/flux/get.go, get_kustomization.go, get_helmrelease.go): a table on STDOUT with the columns
// NAME REVISION SUSPENDED READY MESSAGE (NAMESPACE first with -A). READY/MESSAGE come from the Ready condition, else
// "False" / "waiting to be reconciled"; SUSPENDED is "True"/"False"; Kustomization and source revisions and messages
// go through utils.TruncateHex (hex runs of 40-128 characters cut to 8). No objects: "✗ no <Kind> objects found in
// "<ns>" namespace" ("any" with -A), exit 0. `flux get` has no -o/--output.
import { FluxError, log, type FluxCtx } from './context.js';
import { listObjects, readyCondition, type FluxKind } from './kinds.js';

// internal/utils TruncateHex: \b[a-f0-9]{40,128}\b => first 8 characters
export const truncateHex = (s: string) => s.replace(/\b[a-f0-9]{40,128}\b/g, (h) => h.slice(0, 8));

/**
 * pkg/printers TablePrinter: olekukonko/tablewriter v0.0.5 with SetAutoFormatHeaders (upper case), left alignment, no
 * borders, SetTablePadding("\t") and SetNoWhiteSpace(true): every cell is padded to its column's width; header cells
 * end with a tab except the last, which ends with a space; every row cell ends with a tab.
 */
export function tablePrinter(header: string[], rows: string[][]): string {
  const head = header.map((h) => h.toUpperCase());
  const widths = (head.length ? head : rows[0] ?? []).map((_, i) => Math.max(head[i]?.length ?? 0, ...rows.map((r) => (r[i] ?? '').length)));
  const lines: string[] = [];
  if (head.length) lines.push(head.map((h, i) => h.padEnd(widths[i]!) + (i === head.length - 1 ? ' ' : '\t')).join(''));
  for (const r of rows) lines.push(r.map((cell, i) => `${cell.padEnd(widths[i]!)}\t`).join(''));
  return lines.map((l) => `${l}\n`).join('');
}

export async function getCmd(c: FluxCtx, kind: FluxKind): Promise<void> {
  if (c.flags.watch) throw new FluxError("the lab's fake flux does not implement get --watch");
  const all = !!c.flags['all-namespaces'];
  let items = listObjects(c, kind, all ? undefined : c.namespace, c.flags['label-selector'] || undefined);
  if (c.args[0] !== undefined) items = items.filter((o) => o.metadata.name === c.args[0]);
  const selector: string = c.flags['status-selector'];
  if (selector) {
    const [type, status] = selector.split('=', 2);
    if (status === undefined) throw new FluxError(`expected status selector in type=status format, but found: ${selector}`);
    items = items.filter((o) => (o.status?.conditions ?? []).some((x: any) => x.type.toLowerCase() === type!.toLowerCase() && x.status.toLowerCase() === status.toLowerCase()));
  }
  const where = all ? 'any' : JSON.stringify(c.namespace);
  if (!items.length) {
    if (c.args[0] !== undefined) log.failure(c, `${kind.kind} object '${c.args[0]}' not found in ${where} namespace`);
    else log.failure(c, `no ${kind.kind} objects found in ${where} namespace`);
    return;
  }
  const cut = kind.truncate ? truncateHex : (s: string) => s;
  const rows = items.map((o) => {
    const ready = readyCondition(o);
    const [status, msg] = ready ? [ready.status, ready.message ?? ''] : ['False', 'waiting to be reconciled'];
    return [...(all ? [o.metadata.namespace!] : []), o.metadata.name!, cut(kind.revision(o)), o.spec?.suspend ? 'True' : 'False', status, cut(msg)];
  });
  const header = c.flags['no-header'] ? [] : [...(all ? ['Namespace'] : []), 'Name', 'Revision', 'Suspended', 'Ready', 'Message'];
  c.io.stdout += tablePrinter(header, rows);
}
