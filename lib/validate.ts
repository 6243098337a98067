// zod schemas for every string that can reach a command line, shared by rackhand.yaml and talconfig.yaml loading.
import { z } from 'zod';
import { DNS_LABEL, DNS_SUBDOMAIN, SEMVER_TAG } from './patterns.ts';

export const nodeName = z.string().regex(DNS_SUBDOMAIN, 'expected a node name (lowercase letters, digits, "-" and ".", e.g. cp1)');
export const namespace = z.string().regex(DNS_LABEL, 'expected a namespace (lowercase letters, digits and "-", e.g. flux-system)');
export const versionTag = z.string().regex(SEMVER_TAG, 'expected a version like v1.12.3');
export const address = z.string().regex(/^[A-Za-z0-9.:-]+$/, 'expected an IP address or host name, e.g. 10.0.0.11');
