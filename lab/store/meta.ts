// Small helpers on object metadata.
import { randomUUID } from 'node:crypto';

export const deepCopy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

/** RFC 3339 with second precision, as metav1.Time marshals. */
export const timestamp = (ms: number = Date.now()): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const newUid = (): string => randomUUID();

export function stableEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

// a DNS-1123 subdomain (k8s.io/apimachinery/pkg/util/validation/validation.go IsDNS1123Subdomain)
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** 5 random lowercase alphanumerics, as names.SimpleNameGenerator appends to generateName. */
export function randomSuffix(n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'; // k8s.io/apimachinery/pkg/util/rand alphanums
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
