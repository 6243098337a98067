// The security context of rackhand's own short-lived pods (verification, egress and probe Jobs): the Pod Security
// Standards' "restricted" profile (kubernetes.io/docs/concepts/security/pod-security-standards/): not root, no
// privilege escalation, every capability dropped, the runtime's seccomp profile, a read-only root filesystem.
export const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } } as const;
export const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } as const;
/** what a busybox one-liner needs */
export const SMALL = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } } as const;
