// VolSync's restore snapshot selection (entry.sh select_restic_snapshot_to_restore): newest first, skip to the first
// snapshot taken at or before restoreAsOf, then skip `previous` more; only snapshots of host volsync. Epochs are
// compared in whole seconds, as the script does with `date +%s`.
export interface Snapshot {
  id: string;
  short_id?: string;
  time: string;
  hostname: string;
  paths: string[];
}

export function selectSnapshot(all: Snapshot[], o: { host: string; previous?: number; restoreAsOf?: string }): Snapshot | undefined {
  const secs = (t: string) => Math.floor(Date.parse(t) / 1000);
  const list = all.filter((s) => s.hostname === o.host).sort((a, b) => secs(b.time) - secs(a.time));
  let i = 0;
  if (o.restoreAsOf) {
    const target = secs(o.restoreAsOf);
    while (i < list.length && secs(list[i]!.time) > target) i++;
  }
  i += o.previous ?? 0;
  return list[i];
}
