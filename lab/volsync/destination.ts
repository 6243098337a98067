// ReplicationDestination (copyMethod Direct): restore into spec.restic.destinationPVC (omitted => VolSync's
// volsync-<rd>-dest, created here). A running pod that mounts a ReadWriteOnce destination makes the mover fail like
// the Multi-Attach error a real mover pod would hit, so restores must scale the app to 0 first.
import { volumePath, moverSpec } from './context.js';
import type { Side } from './controller.js';
import { moverRestore } from './mover.js';

const SINGLE_ATTACH = ['ReadWriteOnce', 'ReadWriteOncePod'];

export const destinationSide: Side = {
  kind: 'ReplicationDestination', resource: 'replicationdestinations.volsync.backube', dir: 'dst', verb: 'restore',
  prepare(o, ctx) {
    const { store } = ctx;
    const ns = o.metadata.namespace!;
    const restic = moverSpec(o);
    if (!restic) return 'spec.restic (or spec.kopia) is required: no mover configured';
    if (!restic.repository || !store.find('secrets', ns, restic.repository)) return `secrets "${restic.repository ?? ''}" not found`;
    let pvcName: string = restic.destinationPVC ?? `volsync-${o.metadata.name}-dest`;
    let pvc = store.find('persistentvolumeclaims', ns, pvcName);
    if (!pvc && restic.destinationPVC) return `persistentvolumeclaims "${pvcName}" not found`;
    if (!pvc) {
      pvc = store.create('persistentvolumeclaims', {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: { name: pvcName, namespace: ns, labels: { 'app.kubernetes.io/created-by': 'volsync' } },
        spec: {
          accessModes: restic.accessModes ?? ['ReadWriteOnce'], resources: { requests: { storage: restic.capacity ?? '1Gi' } },
          ...(restic.storageClassName ? { storageClassName: restic.storageClassName } : {}),
        },
      });
      pvcName = pvc.metadata.name!;
    }
    const modes: string[] = pvc.status?.accessModes ?? pvc.spec?.accessModes ?? [];
    const users = modes.some((m) => SINGLE_ATTACH.includes(m))
      // a pod that ran to completion (a finished Job's) no longer holds the volume: the kubelet unmounted it
      ? store.list('pods', { namespace: ns }).items.filter((p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase)
        && (p.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === pvcName))
      : [];
    const volume = pvc.spec?.volumeName ?? `pvc-${pvc.metadata.uid}`;
    return {
      pvc: pvcName, dataDir: volumePath(ctx.dir, ns, pvcName),
      ...(users.length ? {
        blocked: [
          'Starting container',
          `ERROR: Multi-Attach error for volume "${volume}" Volume is already used by pod(s) ${users.map((p) => p.metadata.name).join(', ')}`,
          `ERROR: mover pod volsync-dst-${o.metadata.name} could not attach persistentvolumeclaim "${pvcName}" (ReadWriteOnce) while it is mounted on node ${users[0]!.spec.nodeName}`,
        ],
      } : {}),
      run: (m) => moverRestore(m, {
        ...(restic.previous !== undefined ? { previous: Number(restic.previous) } : {}),
        ...(restic.restoreAsOf ? { restoreAsOf: String(restic.restoreAsOf) } : {}),
        enableFileDeletion: Boolean(restic.enableFileDeletion),
      }),
    };
  },
};
