// Column tables as Go's text/tabwriter prints them (talosctl, kubectl, flux): a header of upper-case names separated by
// two or more spaces, cells left-aligned under their header. Cells may contain single spaces ("20 MB"), so rows are
// cut at the header's column offsets, not split on whitespace.
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (!header) return [];
  const cols: { name: string; start: number }[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) cols.push({ name: m[0], start: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    cols.forEach((c, i) => {
      const end = cols[i + 1]?.start ?? line.length;
      row[c.name] = line.slice(c.start, i + 1 < cols.length ? end : undefined).trim();
    });
    return row;
  });
}
