// Storage: every PersistentVolumeClaim is Bound at once (a local-path style provisioner; when the lab has StorageClass
// objects, only claims for one of them) and backed by a folder
// DIR/volumes/<namespace>/<pvc>/ that stands for its contents; the folder goes when the claim does (reclaimPolicy
// Delete).
import { mkdirSync, rmSync } from 'node:fs';
import type { Controller, ControllerContext } from './types.js';
import { volumePath } from '../volsync/context.js';

const PVC = 'persistentvolumeclaims';

export class VolumeController implements Controller {
  readonly name = 'volumes';
  private readonly known = new Map<string, string>(); // uid => folder
  /** NFS StorageClasses whose exports squash root (lab fault nfsRootSquash) */
  readonly rootSquash = new Set<string>();

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
      // a claim for a StorageClass the cluster does not have waits (Pending) with the PV controller's event
      // (pkg/controller/volume/persistentvolume/pv_controller.go: ProvisioningFailed, storageclass.storage.k8s.io
      // "<name>" not found); a lab without StorageClass objects provisions every claim
      const cls: string | undefined = pvc.spec?.storageClassName;
      const classes = store.list('storageclasses.storage.k8s.io').items;
      if (cls && classes.length && !classes.some((c) => c.metadata.name === cls)) {
        if (pvc.status?.phase !== 'Pending') {
          store.update(PVC, { ...pvc, status: { phase: 'Pending' } }, { subresource: 'status' });
          this.ctx.record('ProvisioningFailed', `${pvc.metadata.namespace}/${pvc.metadata.name}`, `storageclass.storage.k8s.io "${cls}" not found`);
        }
        continue;
      }
      // an NFS class's folders are made world-writable, as nfs-subdir-external-provisioner does (0777); a class with
      // the fault nfsRootSquash is a root-owned 0755 export with root_squash, where no pod may write
      const provisioner: string = classes.find((c) => c.metadata.name === cls)?.provisioner ?? '';
      if (/nfs/i.test(provisioner) && this.ctx.volumeOwners) {
        this.ctx.volumeOwners.set(this.known.get(uid)!, this.rootSquash.has(cls!) ? { uid: 0, gid: 0, mode: 0o755, rootSquash: true } : { uid: 0, gid: 0, mode: 0o777 });
      }
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
