// A small five-field cron (minute hour day-of-month month day-of-week, as robfig/cron's parser with Minute|Hour|Dom|
// Month|Dow|Descriptor that VolSync uses): *, */n, a, a-b, a-b/n, lists, and @hourly/@daily/@weekly/@monthly/@yearly.
// Times are UTC (VolSync's controller runs in UTC).
const DESCRIPTORS: Record<string, string> = {
  '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@weekly': '0 0 * * 0', '@monthly': '0 0 1 * *', '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *',
};
const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

export interface Cron { minute: Set<number>; hour: Set<number>; dom: Set<number>; month: Set<number>; dow: Set<number>; domStar: boolean; dowStar: boolean }

function field(text: string, [lo, hi]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid cron field ${JSON.stringify(text)}`);
    const from = m[1] === '*' ? lo : Number(m[2]);
    const to = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? hi : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < lo || to > hi || from > to || step < 1) throw new Error(`cron field ${JSON.stringify(text)} out of range ${lo}-${hi}`);
    for (let v = from; v <= to; v += step) out.add(hi === 6 && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(spec: string): Cron {
  const text = DESCRIPTORS[spec.trim()] ?? spec.trim();
  const f = text.split(/\s+/);
  if (f.length !== 5) throw new Error(`expected exactly 5 fields, found ${f.length}: ${JSON.stringify(spec)}`);
  const [minute, hour, dom, month, dow] = f.map((x, i) => field(x, RANGES[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { minute, hour, dom, month, dow, domStar: f[2] === '*', dowStar: f[4] === '*' };
}

/** The first time strictly after `from` (ms) that matches, in UTC. */
export function nextCron(c: Cron, from: number): number {
  const d = new Date(Math.floor(from / 60_000) * 60_000 + 60_000);
  for (let i = 0; i < 60 * 24 * 366 * 5; i++) {
    const dayOk = c.domStar || c.dowStar ? c.dom.has(d.getUTCDate()) && c.dow.has(d.getUTCDay()) : c.dom.has(d.getUTCDate()) || c.dow.has(d.getUTCDay());
    if (!c.month.has(d.getUTCMonth() + 1) || !dayOk) { d.setUTCHours(24, 0, 0, 0); continue; }
    if (!c.hour.has(d.getUTCHours())) { d.setUTCMinutes(60, 0, 0); continue; }
    if (c.minute.has(d.getUTCMinutes())) return d.getTime();
    d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
  }
  throw new Error('cron schedule never fires');
}
