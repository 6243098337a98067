// The Flux controllers as `flux install` (or the flux-operator) lays them out in flux-system: one Deployment per
// controller, labelled app.kubernetes.io/part-of=flux (pkg/manifestgen PartOfLabelKey/Value, what `flux check` looks
// for), app.kubernetes.io/instance=flux-system and app.kubernetes.io/version. Tests `kubectl apply` these to install
// Flux in a lab; a fake helm release that installs Flux can create the same objects.
import { crdObject } from '../kinds/crd.js';
import { customKinds } from '../kinds/custom.js';
import type { KObject } from '../store/types.js';

// controller images per Flux minor (approximate: minor versions from the release notes, patch levels not checked)
const IMAGES: Record<string, Record<string, string>> = {
  '2.6': { 'source-controller': 'v1.6.0', 'kustomize-controller': 'v1.6.0', 'helm-controller': 'v1.3.0', 'notification-controller': 'v1.6.0' },
  '2.7': { 'source-controller': 'v1.7.0', 'kustomize-controller': 'v1.7.0', 'helm-controller': 'v1.4.0', 'notification-controller': 'v1.7.0' },
};

/** the labels a Flux install puts on its objects (CRDs included) */
export function fluxLabels(version: string, component?: string): Record<string, string> {
  return {
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
    'app.kubernetes.io/instance': 'flux-system', 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/version': `v${version.replace(/^v/, '')}`,
  };
}

/** source-, kustomize-, helm- and notification-controller Deployments for a Flux version (e.g. "2.7.0") */
export function fluxControllerDeployments(version: string, namespace = 'flux-system'): KObject[] {
  const images = IMAGES[version.replace(/^v/, '').split('.').slice(0, 2).join('.')] ?? IMAGES['2.7']!;
  return Object.entries(images).map(([name, tag]) => ({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace, labels: { ...fluxLabels(version, name), 'control-plane': 'controller' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'manager', image: `ghcr.io/fluxcd/${name}:${tag}`, args: ['--log-level=info'] }] },
      },
    },
  }));
}

/**
 * Everything a Flux install adds to an empty cluster: the flux-system Namespace, the Flux CRDs the lab serves (labelled
 * as `flux install` labels them) and the controller Deployments. For a fake helm release that installs Flux; objects
 * that already exist (the default lab seeds the CRDs) are to be updated, not created.
 */
export function fluxInstallObjects(version: string, namespace = 'flux-system'): KObject[] {
  const crds = customKinds.filter((k) => k.group.endsWith('.toolkit.fluxcd.io')).map((k) => {
    const crd = crdObject(k);
    return { ...crd, metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...fluxLabels(version) } } };
  });
  return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace, ...fluxLabels(version) } } }, ...crds, ...fluxControllerDeployments(version, namespace)];
}
