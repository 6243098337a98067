import { describe, expect, it } from 'vitest';
import { renderDestination } from '../../lib/volsync/restore.ts';
import type { ReplicationSource } from '../../lib/volsync/types.ts';
import { uniqueTrigger } from '../../lib/volsync/types.ts';

const source: ReplicationSource = {
  apiVersion: 'volsync.backube/v1alpha1', kind: 'ReplicationSource',
  metadata: { name: 'paperless', namespace: 'apps' },
  spec: {
    sourcePVC: 'paperless',
    trigger: { schedule: '0 * * * *' },
    restic: {
      repository: 'paperless-volsync-secret', copyMethod: 'Snapshot', storageClassName: 'ceph-block', accessModes: ['ReadWriteOnce'],
      capacity: '5Gi', cacheCapacity: '2Gi', moverSecurityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, retain: { daily: 7 },
    },
  },
};

describe('the ReplicationDestination rackhand renders from the live ReplicationSource', () => {
  it('restores Direct into the source PVC with the same security context, storage and repository', () => {
    const rd = renderDestination(source, 'restore-20261123t204500000z', { previous: 1 });
    expect(rd.metadata).toMatchObject({ name: 'paperless-rackhand-restore', namespace: 'apps' });
    expect(rd.spec).toEqual({
      trigger: { manual: 'restore-20261123t204500000z' },
      restic: {
        repository: 'paperless-volsync-secret', destinationPVC: 'paperless', copyMethod: 'Direct', enableFileDeletion: true, cleanupCachePVC: true,
        moverSecurityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, storageClassName: 'ceph-block', accessModes: ['ReadWriteOnce'],
        capacity: '5Gi', cacheCapacity: '2Gi', previous: 1,
      },
    });
  });

  it("never shares the source's name (the cache PVC name clash, volsync < 0.13) and passes restoreAsOf", () => {
    const rd = renderDestination(source, 't', { asOf: '2026-11-20T03:00:00Z' });
    expect(rd.metadata.name).not.toBe(source.metadata.name);
    expect((rd.spec as { restic: { restoreAsOf: string } }).restic.restoreAsOf).toBe('2026-11-20T03:00:00Z');
  });

  it('computes a new trigger value every time', () => {
    expect(uniqueTrigger('manual', new Date('2026-11-23T20:45:00.123Z'))).toBe('manual-20261123t204500123z');
    expect(uniqueTrigger('manual', new Date(1))).not.toBe(uniqueTrigger('manual', new Date(2)));
  });
});
