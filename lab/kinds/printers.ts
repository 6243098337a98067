// Helpers that render table cells the way pkg/printers/internalversion/printers.go does.
import type { KObject } from '../store/types.js';
import type { Column } from './types.js';

/** k8s.io/apimachinery/pkg/util/duration HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** translateTimestampSince: "<unknown>" for a zero time */
export function since(ts: string | undefined, now: number): string {
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

export const ageColumn: Column = {
  name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  value: (o, now) => since(o.metadata.creationTimestamp, now),
};

export const nameColumn: Column = {
  name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', value: (o) => o.metadata.name,
};

/** metav1.FormatLabelSelector */
export function formatSelector(sel: any): string {
  if (!sel) return '<none>';
  const parts = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}=${sel.matchLabels[k]}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator).toLowerCase();
    if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

const containersOf = (o: KObject): any[] => o.spec?.template?.spec?.containers ?? [];

/** the wide CONTAINERS / IMAGES / SELECTOR trio of the workload printers */
export const workloadWide: Column[] = [
  { name: 'Containers', type: 'string', priority: 1, value: (o) => containersOf(o).map((c) => c.name).join(',') },
  { name: 'Images', type: 'string', priority: 1, value: (o) => containersOf(o).map((c) => c.image).join(',') },
  { name: 'Selector', type: 'string', priority: 1, value: (o) => formatSelector(o.spec?.selector) },
];

export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export function condition(o: KObject, type: string): any | undefined {
  return (o.status?.conditions ?? []).find((c: any) => c.type === type);
}
