// system-upgrade-controller Plans for a k3s version, as docs.k3s.io/upgrades/automated writes them: a server Plan
// (control-plane nodes, concurrency 1, cordon) and an agent Plan that waits for it (prepare: [prepare, <server plan>]);
// image rancher/k3s-upgrade, namespace system-upgrade, serviceAccountName system-upgrade (upgrade.cattle.io/v1).
export function upgradePlans(version: string, o: { drain: boolean }): object[] {
  const common = { concurrency: 1, cordon: true, serviceAccountName: 'system-upgrade', upgrade: { image: 'rancher/k3s-upgrade' }, version };
  const drain = o.drain ? { drain: { force: true, skipWaitForDeleteTimeout: 60 } } : {};
  return [
    {
      apiVersion: 'upgrade.cattle.io/v1', kind: 'Plan',
      metadata: { name: 'server-plan', namespace: 'system-upgrade' },
      spec: { ...common, nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'In', values: ['true'] }] } },
    },
    {
      apiVersion: 'upgrade.cattle.io/v1', kind: 'Plan',
      metadata: { name: 'agent-plan', namespace: 'system-upgrade' },
      spec: {
        ...common, ...drain,
        nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
        prepare: { image: 'rancher/k3s-upgrade', args: ['prepare', 'server-plan'] },
      },
    },
  ];
}
