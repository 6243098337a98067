// The apiextensions-apiserver's naming and establishing controllers (staging/src/k8s.io/apiextensions-apiserver/pkg/
// controller/status/naming_controller.go, establish/establishing_controller.go), in one step: a CRD that is written
// without a status (kubectl apply, helm) gets acceptedNames, storedVersions and NamesAccepted + Established True, so
// `kubectl wait --for=condition=Established crd/x` works. The kinds themselves are registered by lab.ts's CRD listener.
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

export class CrdController implements Controller {
  readonly name = 'crds';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    for (const crd of store.list(CRDS).items) {
      const established = (crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
      if (established && JSON.stringify(crd.status?.acceptedNames) === JSON.stringify(crd.spec?.names)) continue;
      let conditions = setCondition(crd.status?.conditions, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
      conditions = setCondition(conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
      const stored = (crd.spec?.versions ?? []).filter((v: any) => v.storage).map((v: any) => v.name);
      writeStatus(store, CRDS, crd, { ...crd.status, acceptedNames: crd.spec?.names, storedVersions: [...new Set([...(crd.status?.storedVersions ?? []), ...stored])], conditions });
    }
  }
}
