// The one entry point of the simulated homelab: startLab() seeds a store from a topology, runs the controllers and
// serves the Kubernetes API on 127.0.0.1 for the machine's real kubectl, through a generated kubeconfig.
import { Authorizer, type Decision } from './http/authz.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Clock } from './controllers/clock.js';
import { DaemonSetController } from './controllers/daemonsets.js';
import { DeploymentController } from './controllers/deployments.js';
import { DisruptionController } from './controllers/disruption.js';
import { JobPodKubelet, nfsPath } from './controllers/containers.js';
import { GarbageCollector } from './controllers/garbage.js';
import { isJobPod, JobController } from './controllers/jobs.js';
import { Kubelets } from './controllers/kubelet.js';
import { ControllerManager } from './controllers/manager.js';
import { NamespaceController } from './controllers/namespaces.js';
import { NodeController } from './controllers/nodes.js';
import { ReplicaSetController } from './controllers/replicasets.js';
import { Scheduler } from './controllers/scheduler.js';
import { StatefulSetController } from './controllers/statefulsets.js';
import { FluxController } from './controllers/flux.js';
import { ArgoController } from './controllers/argo.js';
import { ExternalSecretsController } from './controllers/external-secrets.js';
import { VolumeController } from './controllers/volumes.js';
import type { ControllerContext, LabEvent } from './controllers/types.js';
import { execContainer, execInPod } from './controllers/pod-exec.js';
import { runningContainerLog } from './controllers/kubelet.js';
import { CrdController } from './controllers/crds.js';
import { kubeconfigDoc, LAB_MEDIA_REFS, writeFakeCli, writeKubeconfig, writeRackhandConfig, writeTalosconfig } from './files.js';
import { runHelmfile } from './helmfile/helmfile.js';
import { HelmWorld } from './helmfile/releases.js';
import { labApi } from './http/lab-api.js';
import { createApiServer } from './http/server.js';
import { isPodReady } from './kinds/pdb.js';
import { Registry } from './kinds/registry.js';
import { seed, seedNode, seedObject } from './seed.js';
import { Store } from './store/store.js';
import { errors } from './store/errors.js';
import { loadTopology } from './topology.js';
import type { ApiContext } from './http/context.js';
import { Kube } from './talos/kube.js';
import { Machine } from './talos/machine.js';
import { runTalosctl } from './talos/talosctl.js';
import { TalosWorld } from './talos/world.js';
import { APP_VOLUME_OWNER, prepareApp } from './volsync/app.js';
import { VolumeOwners } from './controllers/volume-owners.js';
import { writeSeedFiles } from './volsync/files.js';
import { createVolsync, type LabVolsync } from './volsync/index.js';
import { volumePath } from './volsync/context.js';
import { labVault, type LabVault } from './op/lab-vault.js';
import { runOp } from './op/op.js';
import { runTalhelper } from './talhelper/talhelper.js';
import { runSops } from './sops/sops.js';
import { OpAccount } from './op/vault.js';
import { labGitRepo, type LabGitRepo } from './git.js';
import { runFlux } from './flux-cli/flux.js';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { k3sKubeconfig, k3sSetup, LAB_K3S_TOKEN_REF, LAB_SNAPSHOT_REPO_PASSWORD_REF, randomToken, writeK3sRackhandConfig, type LabK3s } from './k3s/setup.js';
import { initRepo } from './volsync/repo.js';
import { startMedia, type LabMedia } from './media/index.js';
import { downloadEgress } from './media/reach.js';
import { labTls, type LabTls } from './tls.js';
import { CnpgController } from './controllers/cnpg.js';
import { CnpgDatabases } from './postgres/cnpg-databases.js';
import { LabObjectStore } from './postgres/object-store.js';
import { clusterPrefix, DatabasePods } from './postgres/pods.js';
import { LabPostgres } from './postgres/server.js';
import { ageDumps, corruptDump, writeDumps, type DumpSeries } from './postgres/dumps.js';

/** the public address the lab's home connection has (TEST-NET-3, RFC 5737) and the IP echo services pods may ask */
const LAB_HOME_IP = '203.0.113.24';
const IP_ECHO = /^https?:\/\/(ipinfo\.io\/ip|ifconfig\.me(\/ip)?|api\.ipify\.org|icanhazip\.com|ipv4\.icanhazip\.com)\/?$/;

const FAKE_CLI = fileURLToPath(new URL('./bin/fake-cli.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** the namespaces kube-apiserver itself creates once it is up (pkg/controlplane/controller/systemnamespaces) */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export type { LabEvent } from './controllers/types.js';
export type { Store } from './store/store.js';

export interface LabOptions {
  /** topology YAML path (default lab/topologies/default.yaml) */
  topology?: string;
  /** where kubeconfig, rackhand.yaml, bin/ and the kubectl cache go; else a fresh mkdtemp */
  dir?: string;
  /** 0 = random */
  port?: number;
  /** how long a node reboot takes, in ms (default 2000) */
  rebootMs?: number;
  /** reported by /version and the kubelets (default: the topology's, v1.31.4) */
  kubernetesVersion?: string;
  /** how long a scheduled pod takes to become Ready, in ms (default 150) */
  podStartMs?: number;
  /** startLab waits this long for every node and pod to be Ready, and fails if they are not (default 10000; 0 = do not wait) */
  settleMs?: number;
  /**
   * lab time compression for durations that are real on a real cluster (the node-side drain cap of 5 m and its 5 s
   * retry, talosctl's default --timeout 30m and --drain-timeout 5m). Default rebootMs / 120000: a real reboot takes
   * about two minutes.
   */
  timeScale?: number;
  /** the restic binary the VolSync movers run (default: restic on PATH) */
  restic?: string;
  /** delay before a failed VolSync mover is retried, in ms (default 2000; real VolSync retries forever) */
  moverRetryMs?: number;
  /** the 1Password account the fake op serves: a vault YAML (lab/op/vault.ts; default lab/vault.yaml) */
  vault?: string;
  /** the version the fake flux reports and checks with (default 2.7.0; `flux check` needs Kubernetes >= 1.32 from 2.7) */
  fluxVersion?: string;
  /**
   * a cluster still to be bootstrapped: every topology machine boots in maintenance mode, nothing else of the topology
   * is created, the Kubernetes API does not answer (connections are dropped) until `talosctl bootstrap` plus
   * apiStartMs, kubeconfigPath does not exist until `talosctl kubeconfig` writes it, and nodes stay NotReady (no CNI)
   * until a CNI chart (cilium) is installed. startLab does not wait for the lab to settle.
   */
  empty?: boolean;
  /** how long the External Secrets controller takes to act on a change or a due refresh, in ms (default 0) */
  esoDelayMs?: number;
  /** how long kube-apiserver takes to answer after `talosctl bootstrap`, in ms (default rebootMs) */
  apiStartMs?: number;
}

export interface LabFaults {
  setNodeReady(node: string, ready: boolean): void;
  /** after its next reboot the node stays NotReady (talosctl --wait times out) */
  nodeNeverReady(node: string): void;
  /** talosctl upgrade on the node fails before anything happens (message: the gRPC error's desc) */
  upgradeFails(node: string, message?: string): void;
  /** etcd status shows an error for this member */
  etcdUnhealthy(node: string, message?: string): void;
  /** a real stale exclusive lock in the app's restic repository ("app" or "namespace/app") */
  resticLocked(app: string): Promise<void>;
  /** the app's repository Secret gets a RESTIC_PASSWORD that does not open the repository */
  wrongPassword(app: string): void;
  /** the next `times` (default 1) mover runs on the app's repository fail mid-way (restores partially written) */
  moverFails(app: string, opts?: { times?: number }): void;
  /** the fake op acts as if nobody were signed in ("You are not currently signed in...") until called with false */
  opSignedOut(signedOut?: boolean): void;
  /** the next `count` op commands fail as 1Password's rate limit answers (HTTP 429) */
  opRateLimited(count: number): void;
  /** every helm install/upgrade of the release fails, until clearFaults (helm's error: message, default "context deadline exceeded") */
  helmReleaseFails(release: string, message?: string): void;
  /** a HelmRelease ("namespace/name") stuck Ready=False UpgradeFailed until it is suspended and resumed */
  helmReleaseStuck(release: string): void;
  /** the Kubernetes API drops every connection for `ms` (default: until clearFaults), as an API server that restarts */
  apiDown(ms?: number): void;
  /** (k3s) the install script fails on the node */
  k3sInstallFails(node: string, message?: string): void;
  /** (k3s) after its next k3s start the node never reports Ready */
  k3sNeverReady(node: string): void;
  /** (k3s) the node's sshd stops answering (connection refused) until clearFaults */
  sshRefused(node: string): Promise<void>;
  /** (k3s) sudo on the node wants a password */
  sudoPassword(node: string): void;
  /** (k3s) etcd snapshots saved on the node are damaged on its disk (its own sha256sum agrees with the damage) */
  snapshotCorrupt(node: string): void;
  /** (CloudNativePG) WAL archiving of the Cluster "namespace/name" fails until clearFaults */
  cnpgArchivingBroken(cluster: string): void;
  /** (CloudNativePG) every base backup of the Cluster fails with this error until clearFaults */
  cnpgBackupFails(cluster: string, message?: string): void;
  /** (CloudNativePG) a recovery bootstrap of the Cluster "namespace/name" takes `ms` more (real time) until clearFaults */
  cnpgSlowRestore(cluster: string, ms: number): void;
  /** a pg_dump file cut to half its size (its time kept), as a dump job killed mid-write leaves it */
  dumpCorrupt(file: string): Promise<void>;
  /** every file in the folder made `ms` older: the dumps stopped coming */
  dumpsStale(folder: string, ms: number): Promise<void>;
  /** the External Secrets controller acts `ms` after a change or a due refresh (0: at once) */
  esoDelay(ms: number): void;
  /** claims of this NFS StorageClass made from now on are root-owned 0755 exports with root_squash: no pod can write */
  nfsRootSquash(storageClass: string): void;
  /** clears the Talos, helm, op and VolSync faults (puts wrong passwords back; stale locks stay: they are repository state); node readiness is kept */
  clearFaults(): void;
}

export interface Lab {
  url: string;
  port: number;
  dir: string;
  kubeconfigPath: string;
  configPath: string;
  /** KUBECONFIG, KUBECACHEDIR, RACKHAND_CONFIG, PATH (dir/bin first; talosctl, helmfile, op, flux, sops there),
   *  OP_CONNECT_HOST/OP_CONNECT_TOKEN (the fake op's Connect sign-in); an empty lab adds TALOSCONFIG */
  env: Record<string, string>;
  store: Store;
  /** DIR/talosconfig, for the fake talosctl (DIR/bin/talosctl) */
  talosconfigPath: string;
  /** ordered log: node-reboot-start, node-reboot-end, node-ready, node-not-ready, node-cordoned, node-uncordoned, pod-scheduled,
   * pod-evicted, namespace-deleted, talos-upgrade-start (detail image), node-drained, talos-drain-warning, talos-upgrade-done
   * (detail version), talos-apply-config, talos-reset, node-power-off, talos-upgrade-k8s, volsync-backup-start|done|failed and
   * volsync-restore-start|done|failed (object <ns>/<name>; done: the snapshot id), flux-suspended|resumed|reconciled (object
   * <kind>/<ns>/<name>), app-scaled (object <ns>/<name>, detail replicas), fault-restic-locked, fault-wrong-password,
   * job-complete|job-failed (object <ns>/<name>, detail the condition reason), job-exec-refused (object <ns>/<pod>, detail
   * "<container>: <program>": not one of the programs a Job container may run on the host), job-exec-timeout (detail the
   * container: killed after min(activeDeadlineSeconds, 60 s)), pod-volume-missing (object <ns>/<pod>, detail the claim),
   * op-read (object: the secret reference, never the value; detail "inject" from op inject), op-inject (object: the input
   * file or "stdin", detail "<n> references"), op-item-get (object <vault>/<item>), flux-cli-reconcile (object
   * <kind>/<ns>/<name>, detail requestedAt), flux-cli-suspend|resume (object <kind>/<ns>/<name>), flux-cli-check (detail passed|failed);
   * bootstrap: talos-bootstrap (object the node), api-up (object the cluster; kube-apiserver answers), talos-kubeconfig
   * (object the node, detail the path written), helm-release-installed (object <ns>/<release>, detail the revision),
   * helm-release-failed (object <ns>/<release>, detail helm's error), helm-release-uninstalled (object <ns>/<release>) */
  events: LabEvent[];
  faults: LabFaults;
  /** the Talos side of the lab: machines, their versions and stages */
  talos: TalosWorld;
  /** the k3s side (topology distribution: k3s): hosts, their sshd, the world (lab/k3s/) */
  k3s?: LabK3s;
  /** the helm side of the lab: releases (as helm stores them) and their faults */
  helm: HelmWorld;
  nodes: { reboot(node: string, ms?: number): Promise<void> };
  /** the folder that stands for a PVC's contents: DIR/volumes/<namespace>/<pvc> */
  volumePath(namespace: string, pvc: string): string;
  /** VolSync apps and repositories (lab/volsync/) */
  volsync: LabVolsync;
  /** the 1Password account behind the fake op: get/set/delete by secret reference (lab/op/lab-vault.ts) */
  vault: LabVault;
  /** a real git remote (bare) and an operator's clone of it under DIR/git/ (lab/git.ts): staged-rollout branches */
  gitRepo(name: string, branch?: string): Promise<LabGitRepo>;
  /** a token for the ServiceAccount (what the TokenRequest API gives a pod): requests made with it (in the server URL,
   *  `${url}/_sa/<token>`: kubectl sends no credentials over plain HTTP) are authorized by the RBAC objects in the
   *  lab (lab/http/authz.ts), with real 403 answers */
  serviceAccountToken(namespace: string, name: string): string;
  /** every RBAC decision made for a ServiceAccount token: user, verb, group, resource[/sub], namespace, name, allowed */
  authorizations: Decision[];
  /** TLS endpoints with chosen certificates, for Ingress load balancers (lab/tls.ts) */
  tls: LabTls;
  /** the media stack (topology `media:`): its state, its fakes' loopback URLs and its faults (lab/media) */
  media?: LabMedia;
  /** the lab's real PostgreSQL (lab/postgres/server.ts; undefined when this machine has none) and the object store
   *  CNPG's backups go to */
  postgres?: {
    server: LabPostgres; objectStore: LabObjectStore; clusterDatabase(namespace: string, cluster: string, db: string): string;
    /** pg_dump files as a daily dump CronJob leaves them, made by the real pg_dump (lab/postgres/dumps.ts) */
    writeDumps(folder: string, series: DumpSeries): Promise<string[]>;
  };
  /** the folder that stands for an NFS export mounted inline (`nfs: {server, path}`) */
  nfsPath(server: string, path: string): string;
  /** resolves when every node is Ready and every pod (but Jobs' pods) Running and Ready (rejects after timeoutMs) */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const loaded = await loadTopology(opts.topology);
  const empty = !!opts.empty;
  const isK3s = loaded.distribution === 'k3s';
  // an empty Talos lab boots every machine in maintenance mode; an empty k3s lab has hosts with nothing installed
  const topology = !empty ? loaded : isK3s
    ? { ...loaded, nodes: loaded.nodes.map((n) => ({ ...n, k3s: { ...n.k3s, installed: false } })) }
    : { ...loaded, nodes: loaded.nodes.map((n) => ({ ...n, talos: { ...n.talos, maintenance: true } })) };
  const opAccount = await OpAccount.load(opts.vault);
  const kubernetesVersion = opts.kubernetesVersion ?? (isK3s ? topology.k3s.version : topology.versions.kubernetes);
  const dir = resolve(opts.dir ?? (await mkdtemp(join(tmpdir(), 'rackhand-lab-'))));
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'kubecache'), { recursive: true });

  const registry = new Registry();
  const store = new Store(registry.byGroupResource);
  // CRD objects are the source of truth for custom kinds (apiextensions-apiserver)
  store.listen((ev) => {
    if (ev.resource !== 'customresourcedefinitions.apiextensions.k8s.io') return;
    if (ev.type === 'DELETED') registry.removeCrd(ev.object);
    else registry.addCrd(ev.object);
  });
  const events: LabEvent[] = [];
  const clock = new Clock();
  const record = (type: string, object: string, detail?: string) => void events.push({ at: clock.now(), type, object, ...(detail !== undefined ? { detail } : {}) });
  const manager = new ControllerManager(store);
  const volumeOwners = new VolumeOwners();
  const ctx: ControllerContext = {
    store, registry, clock, record, requestSync: manager.requestSync, volumeOwners, podEnvs: new Map(),
    options: { podStartMs: opts.podStartMs ?? 150, rebootMs: opts.rebootMs ?? 2000 },
  };
  const nodes = new NodeController(ctx);
  // the Job controller follows the control plane's version (1.31+ delays Complete/Failed), which upgrade-k8s moves
  let controlPlaneVersion = () => kubernetesVersion;
  const jobs = new JobController(ctx, () => controlPlaneVersion());
  const jobPods = new JobPodKubelet(ctx, dir);
  const volsync = createVolsync(ctx, { dir, ...(opts.restic ? { restic: opts.restic } : {}), ...(opts.moverRetryMs !== undefined ? { retryMs: opts.moverRetryMs } : {}) });
  const flux = new FluxController(ctx);
  const volumes = new VolumeController(ctx, dir);
  const eso = new ExternalSecretsController(ctx, () => labVault(opAccount));
  // the lab's real PostgreSQL (started when a database is first needed), when this machine has one
  const postgres = new LabPostgres();
  const objectStore = new LabObjectStore(join(dir, 'object-store'));
  const databases = postgres.available ? new CnpgDatabases(postgres, objectStore, (r, ns, n) => store.find(r, ns, n)) : undefined;
  const dbPods = postgres.available ? new DatabasePods(postgres) : undefined;
  const cnpg = new CnpgController(ctx, databases);
  // one hook for every database command in a pod: the archiver's state from the CNPG controller, the rest real SQL
  ctx.database = async (pod, container, argv, mounts, rootfs, env, signal) => cnpg.psqlAnswer(pod, argv) ?? dbPods?.exec(pod, container, argv, mounts, rootfs, env, signal);
  eso.delayMs = opts.esoDelayMs ?? 0;
  manager.add(
    new NamespaceController(ctx), new GarbageCollector(ctx), nodes, new DeploymentController(ctx), new ReplicaSetController(ctx),
    new StatefulSetController(ctx), new DaemonSetController(ctx), jobs, new Scheduler(ctx), new Kubelets(ctx), jobPods, new DisruptionController(ctx),
    volumes, flux, new ArgoController(ctx), eso, cnpg, new CrdController(ctx), ...volsync.controllers,
    ...(dbPods ? [{ name: 'postgres-pods', reconcile: () => dbPods.collect(store.list('pods').items.filter((p) => !p.metadata.deletionTimestamp)) }] : []),
  );
  // PVC seed files and VolSync apps (repositories initialised, initial snapshots taken by the real restic) before the store is seeded
  if (!empty) {
    await Promise.all(topology.persistentVolumeClaims.map((p) => writeSeedFiles(volumePath(dir, p.namespace, p.name), p.files)));
    let apps;
    try {
      apps = await Promise.all(topology.volsyncApps.map((a) => prepareApp(volsync.restic, dir, a)));
      for (const a of apps) volumeOwners.set(volumePath(dir, a.app.namespace, a.app.name), APP_VOLUME_OWNER);
    } catch (err) {
      await volsync.restic.stop();
      throw err;
    }
    seed(store, registry, topology, kubernetesVersion, apps.flatMap((a) => a.objects));
  } else if (!isK3s) nodes.setNetworkReady(false); // no CNI until one is installed (k3s brings flannel)
  manager.start();
  const media = topology.media && !empty ? await startMedia(topology.media.namespace, (ns, pvc) => volumePath(dir, ns, pvc)) : undefined;
  // the internet as pods see it: an IP echo service answers the address the pod's traffic leaves with, the VPN's for
  // a pod with a Gluetun container (lab/media/reach.ts downloadEgress), the home connection's for any other
  ctx.internet = (pod, url) => {
    if (!IP_ECHO.test(url)) return undefined;
    const vpnPod = ((pod.spec?.containers ?? []) as { image?: string }[]).some((c) => /gluetun/.test(c.image ?? ''));
    const ip = media && vpnPod ? downloadEgress(media.world) : media?.world.homeIp ?? LAB_HOME_IP;
    return ip === undefined ? undefined : `${ip}\n`;
  };
  if (media) {
    const v = labVault(opAccount);
    v.set(LAB_MEDIA_REFS.qbittorrent, media.world.qbittorrent.password);
    v.set(LAB_MEDIA_REFS.jellyfin, media.world.jellyfin.apiKey);
    v.set(LAB_MEDIA_REFS.plex, media.world.plex.token);
    seedObject(store, registry, { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'jellyseerr-secret', namespace: media.world.namespace }, data: { API_KEY: Buffer.from(media.world.jellyseerr.apiKey).toString('base64') } });
    // qBittorrent's pod mounts the media claim at /downloads as well as its save path moves there
    const mismatch = media.faults.pathMismatch;
    media.faults.pathMismatch = () => {
      mismatch();
      const d = store.get('deployments.apps', media.world.namespace, 'qbittorrent');
      const containers = (d.spec.template.spec.containers as any[]).map((c) => ({ ...c, volumeMounts: (c.volumeMounts ?? []).map((m: any) => (m.name === 'media' ? { ...m, mountPath: '/downloads' } : m)) }));
      store.update('deployments.apps', { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers } } } });
      record('fault-media-path-mismatch', `${media.world.namespace}/qbittorrent`, '/downloads');
    };
  }

  const token = randomBytes(24).toString('hex');
  let port = 0;
  let apiUp = !empty;
  const nodeOps = { reboot: (node: string, ms?: number) => nodes.reboot(node, ms) };
  const talosconfigPath = join(dir, 'talosconfig');
  const authorizer = new Authorizer(store);
  const api: ApiContext = {
    authorizer, registry, store, gitVersion: kubernetesVersion, record, now: () => clock.now(), serverAddress: () => `127.0.0.1:${port}`,
    podLogs: (pod, container, previous) => jobPods.logs(pod, container, previous) ?? (previous ? undefined : flux.podLog(pod)) ?? runningContainerLog(pod, container, previous),
    serviceBackend: (ns, svc, p) => media?.backends.get(`${ns}/${svc}:${p}`),
    podExec: { check: execContainer, run: (pod, container, argv, signal) => execInPod(ctx, dir, pod, container, argv, signal) },
  };
  controlPlaneVersion = () => api.gitVersion;
  const rebootMs = opts.rebootMs ?? 2000;
  const machines = topology.nodes.map((n) => new Machine({
    name: n.name, address: n.address, role: n.role, version: n.talos?.version ?? topology.versions.talos,
    installer: n.talos?.installer ?? topology.installer.image, schematic: n.talos?.schematic ?? topology.installer.schematic, maintenance: !!n.talos?.maintenance,
    cluster: topology.cluster,
  }));
  const apiStartMs = opts.apiStartMs ?? rebootMs;
  const talos = new TalosWorld(machines, topology.talosctl.version ?? topology.versions.talos, {
    kube: new Kube(api, () => nodes.reconcile()), nodes, clock, record, rebootMs, timeScale: opts.timeScale ?? rebootMs / 120_000,
    registerNode: (name) => seedNode(store, registry, topology, name, api.gitVersion),
    cluster: topology.cluster, schematics: topology.schematics,
    apiUp: () => apiUp,
    // kube-apiserver answers a little after etcd starts; it creates the system namespaces, kubelets register
    onBootstrap: () => void clock.after(apiStartMs, () => {
      if (apiUp || talos.stopped) return;
      for (const ns of SYSTEM_NAMESPACES) {
        if (!store.find('namespaces', undefined, ns)) seedObject(store, registry, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
      }
      apiUp = true;
      record('api-up', topology.cluster);
      talos.kubeletsUp();
    }),
    adminKubeconfig: () => kubeconfigDoc(topology.cluster, `http://127.0.0.1:${port}`, token),
    onEtcdLost: () => { apiUp = false; record('api-down', topology.cluster, 'no etcd data on any control plane'); },
  }, { bootstrapped: !empty });
  // the k3s side (topology distribution: k3s): hosts behind real sshd, the install script, units, etcd snapshots
  const k3sToken = isK3s ? labVault(opAccount).get(LAB_K3S_TOKEN_REF) ?? randomToken() : '';
  const k3s = isK3s ? k3sSetup(topology, dir, {
    empty, token: k3sToken,
    deps: {
      store, record, restartMs: rebootMs,
      registerNode: (name, version) => seedNode(store, registry, topology, name, version),
      restartNode: async (name, ms, version) => {
        nodes.setReady(name, true);
        await nodes.reboot(name, ms).catch(() => undefined);
        new Kube(api).setNodeInfo(name, { kubeletVersion: version, kubeProxyVersion: version });
      },
      setNodeReady: (name, ready) => nodes.setReady(name, ready),
      setApi: (up, version) => {
        if (version) api.gitVersion = version;
        if (up && !apiUp) {
          for (const ns of SYSTEM_NAMESPACES) {
            if (!store.find('namespaces', undefined, ns)) seedObject(store, registry, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
          }
          record('api-up', topology.cluster);
        }
        apiUp = up;
      },
      kubeconfig: () => k3sKubeconfig(token),
    },
  }) : undefined;
  let labK3s: LabK3s | undefined;
  const helm = new HelmWorld({ store, registry, nodes, record, timeScale: opts.timeScale ?? rebootMs / 120_000 });
  const known = (node: string) => {
    if (!talos.machines.some((m) => m.name === node)) throw errors.notFound({ group: '', resource: 'nodes', name: node });
  };
  let apiDownUntil = 0;
  const refused = new Set<string>();
  const k3sNode = (node: string) => {
    if (!k3s) throw new Error('not a k3s lab (topology distribution: k3s)');
    if (!k3s.world.find(node)) throw errors.notFound({ group: '', resource: 'nodes', name: node });
  };
  const faults: LabFaults = {
    apiDown: (ms) => { apiDownUntil = ms === undefined ? Infinity : Date.now() + ms; record('fault-api-down', topology.cluster, ms === undefined ? 'until cleared' : `${ms} ms`); },
    setNodeReady: (node, ready) => nodes.setReady(node, ready),
    nodeNeverReady: (node) => { known(node); talos.faults.neverReady.add(node); },
    upgradeFails: (node, message) => { known(node); talos.faults.upgradeFails.set(node, message ?? `error validating installer image: failed to pull the installer image for ${node}`); },
    etcdUnhealthy: (node, message) => { known(node); talos.faults.etcdUnhealthy.set(node, message ?? 'etcdserver: no leader'); },
    resticLocked: volsync.faults.resticLocked,
    wrongPassword: volsync.faults.wrongPassword,
    moverFails: volsync.faults.moverFails,
    helmReleaseFails: (release, message) => void helm.faults.set(release, message ?? 'context deadline exceeded'),
    helmReleaseStuck: (release) => flux.stick(release),
    opSignedOut: (signedOut = true) => { opAccount.signedOut = signedOut; },
    opRateLimited: (count) => { opAccount.rateLimited = count; },
    k3sInstallFails: (node, message) => { k3sNode(node); k3s!.world.faults.installFails.set(node, message ?? 'Failed to download k3s binary: 503 Service Unavailable'); },
    k3sNeverReady: (node) => { k3sNode(node); k3s!.world.faults.neverReady.add(node); },
    // the listener stops, and a connection rackhand still shares (ControlMaster) is dropped too
    sshRefused: async (node) => { k3sNode(node); refused.add(node); k3s!.world.find(node)!.down = true; await labK3s!.sshd.get(node)!.pause(); record('fault-ssh-refused', node); },
    sudoPassword: (node) => { k3sNode(node); k3s!.world.faults.sudoPassword.add(node); },
    esoDelay: (ms) => { eso.delayMs = ms; },
    cnpgArchivingBroken: (c) => { cnpg.faults.archivingBroken.add(c); record('fault-cnpg-archiving', c); },
    cnpgBackupFails: (c, message) => { cnpg.faults.backupFails.set(c, message ?? 'exit status 4: barman-cloud-backup could not reach the object store'); record('fault-cnpg-backup', c); },
    dumpCorrupt: async (file) => { await corruptDump(file); record('fault-dump-corrupt', file); },
    dumpsStale: async (folder, ms) => { await ageDumps(folder, ms); record('fault-dumps-stale', folder, `${ms}ms`); },
    cnpgSlowRestore: (c, ms) => { if (!databases) throw new Error('the lab has no PostgreSQL'); databases.slow.set(c, ms); record('fault-cnpg-slow-restore', c, `${ms}ms`); },
    nfsRootSquash: (cls) => { volumes.rootSquash.add(cls); record('fault-nfs-root-squash', cls); },
    snapshotCorrupt: (node) => { k3sNode(node); k3s!.world.faults.snapshotCorrupt.add(node); },
    clearFaults: () => {
      if (k3s) {
        k3s.world.faults.installFails.clear();
        k3s.world.faults.neverReady.clear();
        k3s.world.faults.sudoPassword.clear();
        k3s.world.faults.snapshotCorrupt.clear();
        for (const n of refused) { k3s.world.find(n)!.down = false; void labK3s?.sshd.get(n)?.start().catch((err: Error) => record('lab-error', n, err.message)); }
        refused.clear();
      }
      apiDownUntil = 0;
      volumes.rootSquash.clear();
      cnpg.faults.archivingBroken.clear();
      cnpg.faults.backupFails.clear();
      databases?.slow.clear();
      opAccount.signedOut = false;
      helm.faults.clear();
      flux.stuck.clear();
      talos.faults.neverReady.clear();
      talos.faults.upgradeFails.clear();
      talos.faults.etcdUnhealthy.clear();
      volsync.faults.clear();
    },
  };
  // the same context object: upgrade-k8s moves api.gitVersion and /version must follow
  api.labApi = labApi({
    events: () => events, reboot: nodeOps.reboot, ...faults,
    cli: {
      talosctl: (req) => runTalosctl(talos, req, talosconfigPath),
      op: (req) => runOp(opAccount, req, record),
      sops: async (req) => runSops(req),
      talhelper: async (req) => runTalhelper(req),
      flux: (req) => runFlux({ store, registry, version: opts.fluxVersion ?? '2.7.0', kubernetesVersion: () => api.gitVersion, timeScale: opts.timeScale ?? rebootMs / 120_000, record }, req),
      helmfile: (req) => runHelmfile({ world: helm, labUrl: () => `http://127.0.0.1:${port}`, apiUp: () => apiUp }, req),
    },
  });
  // a lone control plane takes kube-apiserver down with it while it reboots (or upgrades)
  const controlPlanes = topology.nodes.filter((n) => n.role === 'controlplane').map((n) => n.name);
  const loneControlPlaneDown = () => controlPlanes.length === 1 && nodes.isRebooting(controlPlanes[0]!);
  const server = createApiServer(api, { available: () => apiUp, serviceUnavailable: () => Date.now() < apiDownUntil || loneControlPlaneDown() });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  const configPath = join(dir, 'rackhand.yaml');
  if (k3s) {
    try {
      labK3s = await k3s.start();
    } catch (err) {
      await new Promise<void>((ok) => server.close(() => ok()));
      manager.stop(); nodes.stop(); jobPods.stop(); clock.stop();
      await volsync.restic.stop();
      throw err;
    }
    // k3s:install writes the kubeconfig of an empty lab (from a server's /etc/rancher/k3s/k3s.yaml)
    if (!empty) await writeFile(kubeconfigPath, k3sKubeconfig(token).replace('https://127.0.0.1:6443', url), { mode: 0o600 });
    let snapshotRepo: Record<string, string> | undefined;
    if (topology.k3s.snapshotRepository) {
      const creds = await initRepo(volsync.restic, join(dir, 'k3s-snapshots-repo'));
      labVault(opAccount).set(LAB_SNAPSHOT_REPO_PASSWORD_REF, creds.RESTIC_PASSWORD);
      snapshotRepo = { RESTIC_REPOSITORY: creds.RESTIC_REPOSITORY, RESTIC_PASSWORD: LAB_SNAPSHOT_REPO_PASSWORD_REF };
    }
    await writeK3sRackhandConfig(configPath, topology, url, labK3s, join(dir, 'k3s-snapshots'), snapshotRepo);
  } else {
    // an empty lab's kubeconfig is what `talosctl kubeconfig` writes
    if (!empty) await writeKubeconfig(kubeconfigPath, topology.cluster, url, token);
    await writeRackhandConfig(configPath, topology, url, kubernetesVersion, empty ? { repo: REPO } : undefined);
  }
  await writeTalosconfig(talosconfigPath, topology);
  for (const tool of ['talosctl', 'helmfile', 'op', 'flux', 'sops', 'talhelper']) await writeFakeCli(join(dir, 'bin'), tool, FAKE_CLI, url);

  const settled = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const notReadyNodes = store.list('nodes').items.filter((n) => !(n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
      // pods of Jobs run to completion: never Ready for long, not app pods
      const notReadyPods = store.list('pods').items.filter((p) => !isJobPod(p) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded' && !isPodReady(p));
      if (!notReadyNodes.length && !notReadyPods.length) return;
      if (Date.now() > deadline) {
        throw new Error(`lab not settled after ${timeoutMs}ms: nodes not Ready [${notReadyNodes.map((n) => n.metadata.name).join(', ')}], pods not Ready [${notReadyPods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}]`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let stopped = false;
  const tls = labTls(dir);
  const lab: Lab = {
    url, port, dir, kubeconfigPath, configPath, talosconfigPath, store, events, faults, talos, helm, nodes: nodeOps, settled,
    ...(labK3s ? { k3s: labK3s } : {}),
    ...(media ? { media } : {}),
    ...(postgres.available ? { postgres: { server: postgres, objectStore, clusterDatabase: (ns: string, cluster: string, db: string) => clusterPrefix(ns, cluster) + db, writeDumps: (folder: string, series: DumpSeries) => writeDumps(postgres, folder, series) } } : {}),
    nfsPath: (server, path) => nfsPath(dir, server, path),
    tls,
    serviceAccountToken: (namespace, name) => authorizer.issue(namespace, name, randomBytes(24).toString('base64url')),
    authorizations: authorizer.decisions,
    volumePath: volsync.volumePath, volsync: volsync.api(store, registry), vault: labVault(opAccount), gitRepo: (name: string, branch?: string) => labGitRepo(dir, name, branch),
    env: {
      KUBECONFIG: kubeconfigPath,
      ...(empty ? { TALOSCONFIG: talosconfigPath } : {}),
      // a fresh discovery/http cache per lab: the cache is keyed by host:port only (kubectl-protocol.md "Cache")
      KUBECACHEDIR: join(dir, 'kubecache'),
      RACKHAND_CONFIG: configPath,
      // the fake op signs in as a 1Password Connect client (lab/op/auth.ts). Not a service account token: with one,
      // rackhand would use the 1Password SDK, which talks to 1Password's servers, not to the lab.
      OP_CONNECT_HOST: `${url}/_lab/1password-connect`,
      OP_CONNECT_TOKEN: randomBytes(24).toString('base64url'),
      PATH: [join(dir, 'bin'), process.env.PATH ?? ''].filter(Boolean).join(delimiter),
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      talos.stopped = true;
      helm.stopped = true;
      await labK3s?.stop();
      manager.stop();
      nodes.stop();
      jobPods.stop();
      clock.stop();
      await volsync.restic.stop();
      await media?.stop();
      await tls.stop();
      await postgres.stop();
      server.closeAllConnections(); // watches never end by themselves
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
  const settleMs = empty ? 0 : opts.settleMs ?? 10_000;
  if (settleMs > 0) {
    try {
      await settled(settleMs);
    } catch (err) {
      await lab.stop();
      throw err;
    }
  }
  return lab;
}
