// zod schemas for every string that can reach a command line, shared by rackhand.yaml and talconfig.yaml loading.
import { z } from 'zod';
import { DNS_SUBDOMAIN, SEMVER_TAG } from './patterns.ts';

/** A string field whose every failure (missing, wrong type, wrong form) says what was expected. */
export function text(expected: string, pattern?: RegExp): z.ZodString {
  const error = (iss: { input?: unknown }): string => (iss.input === undefined ? `missing; ${expected}` : expected);
  const s = z.string({ error }).min(1, { error });
  return pattern ? s.regex(pattern, { error }) : s;
}

export const nodeName = text('expected a node name (lowercase letters, digits, "-" and ".", e.g. cp1)', DNS_SUBDOMAIN);
export const versionTag = text('expected a version like v1.12.3 (quoted or not, with the leading v)', SEMVER_TAG);
export const address = text('expected an IP address or host name, e.g. 10.0.0.11', /^[A-Za-z0-9.:-]+$/);
