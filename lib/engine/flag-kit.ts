// Flag definitions several built-in tasks share (a node name, a version, the version guards, an app).
import { DNS_LABEL, DNS_SUBDOMAIN, VERSION_TAG } from '../patterns.ts';

export const NODE = { type: 'string', pattern: DNS_SUBDOMAIN, nodeRef: true, hint: 'a node name (or its address) from rackhand.yaml, e.g. cp1' } as const;
export const VERSION = { type: 'string', pattern: VERSION_TAG, hint: 'a version like v1.12.3' } as const;
export const IGNORE_PDBS = { type: 'boolean', description: 'drain even when a PodDisruptionBudget allows no disruption of a pod on the node (a warning instead of a refusal)' } as const;
export const VERSION_GUARDS = {
  'allow-downgrade': { type: 'boolean', description: 'allow a target older than what runs (then the cluster name must be typed, or --confirm-cluster NAME with --yes)' },
  'allow-prerelease': { type: 'boolean', description: 'allow a pre-release target such as v1.13.0-beta.1' },
  'confirm-cluster': { type: 'string', description: 'with --yes --allow-downgrade: the cluster name, as a typed confirmation' },
} as const;
export const APP = { type: 'string', pattern: DNS_LABEL, hint: 'an app name (its ReplicationSource), e.g. paperless', description: 'the app (the name of its ReplicationSource)' } as const;
export const NAMESPACE = { type: 'string', pattern: DNS_LABEL, hint: 'a namespace like apps', description: 'namespace of the ReplicationSource (default: search all)' } as const;
