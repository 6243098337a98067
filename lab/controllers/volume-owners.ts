// Who may read and write a volume, as the kernel decides for a container: the volume's owner, group and mode
// against the container's uid and groups (runAsUser, runAsGroup, fsGroup and supplementalGroups join the process's
// groups: kubernetes.io/docs/tasks/configure-pod-container/security-context/). The lab keeps one owner per PVC folder
// (VolSync apps: their security context; a restore by a mover with a moverSecurityContext: that user), and checks
// a Job container's paths against it, since its processes all run as the lab's own user. hostPath-like volumes get
// no fsGroup chown, so fsGroup only helps when it equals the owning group.
import type { KObject } from '../store/types.js';

/** rootSquash: an NFS export with root_squash (exports(5)): root is the anonymous user there */
export interface VolumeOwner { uid: number; gid: number; mode: number; rootSquash?: boolean }
export interface ProcessUser { uid: number; gids: number[] }

/** A folder nobody set an owner for: root's, world-readable (what a root-run mover or a fresh provisioner leaves). */
export const ROOT_OWNED: VolumeOwner = { uid: 0, gid: 0, mode: 0o755 };

export class VolumeOwners {
  private readonly owners = new Map<string, VolumeOwner>();
  set(hostPath: string, o: VolumeOwner): void { this.owners.set(hostPath, o); }
  get(hostPath: string): VolumeOwner { return this.owners.get(hostPath) ?? ROOT_OWNED; }
}

/** The container's process identity: container securityContext over pod securityContext; an image's default is root. */
export function processUser(pod: KObject, container: { securityContext?: Record<string, any> }): ProcessUser {
  const p = pod.spec?.securityContext ?? {};
  const c = container.securityContext ?? {};
  const uid = Number(c.runAsUser ?? p.runAsUser ?? 0);
  const gid = Number(c.runAsGroup ?? p.runAsGroup ?? 0);
  const extra = [p.fsGroup, ...(p.supplementalGroups ?? [])].filter((g) => g !== undefined).map(Number);
  return { uid, gids: [gid, ...extra] };
}

/** The permission bits that apply (owner, group or other); root passes everything. */
export function allowed(owner: VolumeOwner, who: ProcessUser, want: 'read' | 'write'): boolean {
  if (who.uid === 0 && owner.rootSquash) return allowed({ ...owner, rootSquash: false }, { uid: 65534, gids: [65534] }, want);
  if (who.uid === 0) return true;
  const bits = who.uid === owner.uid ? (owner.mode >> 6) & 7 : who.gids.includes(owner.gid) ? (owner.mode >> 3) & 7 : owner.mode & 7;
  // a folder: reading needs r and x (list and enter), writing w and x
  return want === 'read' ? (bits & 5) === 5 : (bits & 3) === 3;
}
