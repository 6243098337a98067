// Storage: every PersistentVolumeClaim is Bound at once (a local-path style provisioner) and backed by a folder
// DIR/volumes/<namespace>/<pvc>/ that stands for its contents; the folder goes when the claim does (reclaimPolicy
// Delete).
import { mkdirSync, rmSync } from 'node:fs';
import type { Controller, ControllerContext } from './types.js';
import { volumePath } from '../volsync/context.js';

const PVC = 'persistentvolumeclaims';

export class VolumeController implements Controller {
  readonly name = 'volumes';
  private readonly known = new Map<string, string>(); // uid => folder

  constructor(private readonly ctx: ControllerContext, private readonly dir: string) {}

  reconcile(): void {
    const { store } = this.ctx;
    const live = new Set<string>();
    for (const pvc of store.list(PVC).items) {
      const uid = pvc.metadata.uid!;
      live.add(uid);
      if (!this.known.has(uid)) {
        const path = volumePath(this.dir, pvc.metadata.namespace!, pvc.metadata.name!);
        mkdirSync(path, { recursive: true });
        this.known.set(uid, path);
      }
      if (pvc.metadata.deletionTimestamp || pvc.status?.phase === 'Bound') continue;
      const volumeName = pvc.spec?.volumeName ?? `pvc-${uid}`;
      const bound = pvc.spec?.volumeName ? pvc : store.update(PVC, { ...pvc, spec: { ...pvc.spec, volumeName } });
      store.update(PVC, {
        ...bound, status: { phase: 'Bound', accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'], capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' } },
      }, { subresource: 'status' });
    }
    for (const [uid, path] of this.known) {
      if (live.has(uid)) continue;
      this.known.delete(uid);
      rmSync(path, { recursive: true, force: true });
    }
  }
}
