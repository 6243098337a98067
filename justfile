# just front door, generated from the task registry by scripts/gen-wrappers.ts (do not edit: npm run gen:wrappers).
# `just cluster-status --cluster lab` (or CLUSTER=lab, NODE=, APP=, NAMESPACE= among the arguments:
# `just k8s-hr-restart APP=gatus CLUSTER=infra`), or `just run <task> [flags]`; import it from your own justfile with
# `import 'justfile.rackhand'`. Every recipe forwards to the rackhand CLI, which owns flags and confirmation.
set positional-arguments

default:
    @npx tsx tasks list

# run any rackhand task: just run talos:upgrade-node --cluster lab --all
run task *args:
    npx tsx tasks "$@"

# an Argo CD Application's drift: Argo CD's own OutOfSync resources, and the local path source against the cluster; exit 0/1/2
argo-diff *args:
    npx tsx tasks argo:diff "$@"

# every Argo CD Application not Synced and Healthy, with its auto-sync state; exit 1 when any
argo-status *args:
    npx tsx tasks argo:status "$@"

# sync an Argo CD Application now (no argocd CLI or login) and wait for the result
argo-sync *args:
    npx tsx tasks argo:sync "$@"

# export namespaces' configuration (ConfigMaps, Secrets age-encrypted, PVC specs, Services, workloads) into restic, with checksums, retention and check
backup-export-config *args:
    npx tsx tasks backup:export-config "$@"

# restore one app's configuration from the newest export of its namespace, then its volume (volsync:restore) and its checks, within --target
backup-restore-config *args:
    npx tsx tasks backup:restore-config "$@"

# bootstrap:cluster --cluster apps
bootstrap-apps *args:
    npx tsx tasks bootstrap:apps "$@"

# bootstrap a Talos cluster to Flux: configs, etcd, kubeconfig, namespaces, 1Password secrets, CRDs, releases, Flux
bootstrap-cluster *args:
    npx tsx tasks bootstrap:cluster "$@"

# bootstrap:cluster --cluster infra
bootstrap-infra *args:
    npx tsx tasks bootstrap:infra "$@"

# a new cluster's rackhand.yaml entry, talos/, bootstrap/ and Flux entry point from an existing cluster's files; no secrets copied
cluster-onboard *args:
    npx tsx tasks cluster:onboard "$@"

# restore a cluster's state from an etcd snapshot: k3s cluster-reset and rejoin, Talos bootstrap --recover-from; cluster name typed
cluster-restore *args:
    npx tsx tasks cluster:restore "$@"

# save a cluster-state (etcd) snapshot off the nodes: k3s over SSH or Talos via talosctl; checked, with retention
cluster-snapshot *args:
    npx tsx tasks cluster:snapshot "$@"

# list cluster-state snapshots: the copies kept off-node (sha256 checked), in the restic repository, and (k3s) on each server
cluster-snapshots *args:
    npx tsx tasks cluster:snapshots "$@"

# per-node role, readiness and versions; unhealthy pods; PDBs that allow no disruption
cluster-status *args:
    npx tsx tasks cluster:status "$@"

# an on-demand CloudNativePG base backup (Backup object, in-tree barman or the barman-cloud plugin), waited for, with its result
cnpg-backup *args:
    npx tsx tasks cnpg:backup "$@"

# CloudNativePG clusters: primary, WAL archiving (last archived WAL and its age), last base backup, schedules, first recoverability point
cnpg-status *args:
    npx tsx tasks cnpg:status "$@"

# accepted compose drift written into Git: a branch per repository, one conventional commit per service (comments kept), a pull-request text; pushed only with --push, never merged
compose-backport *args:
    npx tsx tasks compose:backport "$@"

# Docker Compose hosts against Git: each running service compared field by field with its compose file, differences by severity (secrets by hash); read-only
compose-drift *args:
    npx tsx tasks compose:drift "$@"

# compose repositories' conventions: pinned images, no version: key, env files not committed, no inline secrets, no stale stacks; file:line for each, exit 2
compose-lint *args:
    npx tsx tasks compose:lint "$@"

# pg_dump backups checked in-cluster: newest within the RPO, count matches retention, every file read whole, the newest loaded into a throwaway PostgreSQL and its verify queries run
db-verify-dumps *args:
    npx tsx tasks db:verify-dumps "$@"

# what rackhand understood from the repository: clusters, nodes, installers, machine configs, releases, secrets, VolSync
doctor *args:
    npx tsx tasks doctor "$@"

# DR drill: restore each app into a scratch namespace, verify the data in-cluster, measure RTO; report + metrics
dr-drill *args:
    npx tsx tasks dr:drill "$@"

# verify backups from outside the cluster: opens, within RPO, restic check subset, test restore + content
dr-verify-backups *args:
    npx tsx tasks dr:verify-backups "$@"

# a Kustomization built from the local repository vs the cluster (server-side dry run); exit 0 same, 1 drift, 2 error
flux-diff *args:
    npx tsx tasks flux:diff "$@"

# the Events Flux controllers wrote for an object, an app or everything, in one table; --since, --warnings
flux-events *args:
    npx tsx tasks flux:events "$@"

# what the Flux controllers logged about an object, an app or everything, merged in time order; --level error, --since
flux-logs *args:
    npx tsx tasks flux:logs "$@"

# release main to a staged-rollout cluster now: fast-forward its release branch (commits shown, never forced) and reconcile
flux-override-staged-rollout *args:
    npx tsx tasks flux:override-staged-rollout "$@"

# reconcile Flux objects now (default: everything not Ready; sources first, dependsOn order) and wait until Ready
flux-reconcile *args:
    npx tsx tasks flux:reconcile "$@"

# resume what rackhand suspended (or the one named) in dependsOn order, each reconciled and Ready before the next
flux-resume *args:
    npx tsx tasks flux:resume "$@"

# every Flux object that is not Ready, with its reason, and the suspended ones; exit 1 when any is not Ready
flux-status *args:
    npx tsx tasks flux:status "$@"

# suspend Flux objects (one, an app's ks+hr, or --all in a namespace), marked so flux:resume --all resumes only those
flux-suspend *args:
    npx tsx tasks flux:suspend "$@"

# one health report: nodes, etcd, pods, volumes, Flux/Argo CD, certificates and TLS endpoints, backups, NFS; exit 1 on any failure
health-cluster *args:
    npx tsx tasks health:cluster "$@"

# write a starting rackhand.yaml from the repository (talconfigs, bootstrap folders, the live cluster), each guess explained
init *args:
    npx tsx tasks init "$@"

# the k3s version changes rackhand made per node (kept in the cluster): when, from, to, by which task, with which args
k3s-history *args:
    npx tsx tasks k3s:history "$@"

# install k3s over SSH: the first server (embedded etcd), further servers, then agents; re-runs do only what is left
k3s-install *args:
    npx tsx tasks k3s:install "$@"

# put nodes back on the k3s version they ran before rackhand's last change (from k3s:history), agents first; the cluster name is typed
k3s-rollback *args:
    npx tsx tasks k3s:rollback "$@"

# rolling k3s upgrade over SSH: etcd snapshot off-node, servers one at a time, then agents; args and env kept; resumable
k3s-upgrade *args:
    npx tsx tasks k3s:upgrade "$@"

# apply a Flux Kustomization built from local files (server-side, as kustomize-controller), the diff shown first
k8s-apply-ks *args:
    npx tsx tasks k8s:apply-ks "$@"

# a throwaway pod mounting a claim (read-only unless --rw) on the node it is attached to; a shell or a command; removed on exit
k8s-browse-pvc *args:
    npx tsx tasks k8s:browse-pvc "$@"

# delete Failed (Evicted) and Succeeded pods, listed first; pods of Jobs kept unless --include-job-pods
k8s-cleanse-pods *args:
    npx tsx tasks k8s:cleanse-pods "$@"

# a privileged debug pod on a node (host namespaces, / at /host); a shell or a command; removed on exit
k8s-debug-node *args:
    npx tsx tasks k8s:debug-node "$@"

# suspend a Flux Kustomization and delete the objects its local build contains (PVCs and Namespaces only with --include-data)
k8s-delete-ks *args:
    npx tsx tasks k8s:delete-ks "$@"

# a command (after --) or a shell in an app's running pod, found by its labels
k8s-exec *args:
    npx tsx tasks k8s:exec "$@"

# restart a failed HelmRelease (suspend, resume, reconcile, wait Ready); --all-failed for every one not Ready
k8s-hr-restart *args:
    npx tsx tasks k8s:hr-restart "$@"

# an app's logs by name: every pod, prefixed, every line unless --tail; --previous, --since, --follow with a deadline
k8s-logs *args:
    npx tsx tasks k8s:logs "$@"

# scale an app for maintenance with its GitOps owner (Flux or Argo CD) paused; --restore goes back to the recorded replicas
k8s-scale *args:
    npx tsx tasks k8s:scale "$@"

# sync HelmReleases, Kustomizations (flux:reconcile) or ExternalSecrets (k8s:sync-secrets) now: one, an app's, or all
k8s-sync *args:
    npx tsx tasks k8s:sync "$@"

# force External Secrets to sync now (--namespace, --app or --all), wait for SecretSynced, report which Secrets changed
k8s-sync-secrets *args:
    npx tsx tasks k8s:sync-secrets "$@"

# a Secret's keys with sizes and short sha256s; values only with --reveal, to stdout only (never the run record)
k8s-view-secret *args:
    npx tsx tasks k8s:view-secret "$@"

# stop the background lab started by lab:up and remove its files
lab-down *args:
    npx tsx tasks lab:down "$@"

# show whether a background lab is running, where, and its environment
lab-status *args:
    npx tsx tasks lab:status "$@"

# start the simulated homelab in the background; prints export lines for eval
lab-up *args:
    npx tsx tasks lab:up "$@"

# check the media stack end to end (*arr, Prowlarr, qBittorrent, Jellyfin/Plex, Jellyseerr): keys, paths, sync; exit 1 on any failure
media-check *args:
    npx tsx tasks media:check "$@"

# repair the media stack from media:check's findings (stale keys, Prowlarr applications, remote path mappings), shown first; --undo RUN puts them back
media-fix *args:
    npx tsx tasks media:fix "$@"

# check that only the download client uses the VPN and that it does not leak the home address; exit 1 on a leak
media-vpn-check *args:
    npx tsx tasks media:vpn-check "$@"

# scaffold an operator task (and a test that runs it against the lab) in your task folder
new-task *args:
    npx tsx tasks new:task "$@"

# cordon and drain a node with PDB blockers named first and a deadline; a failed drain uncordons it again
node-drain *args:
    npx tsx tasks node:drain "$@"

# pending OS updates and reboot-required on k3s nodes; --reboot reboots the nodes that need it, one at a time, drained
node-os-updates *args:
    npx tsx tasks node:os-updates "$@"

# remove a node for good: refuses the last server, lost quorum and node-local data; drain, uninstall/reset, delete; reports where pods went
node-remove *args:
    npx tsx tasks node:remove "$@"

# uncordon a node, saying who cordoned it (node:drain's mark or someone else)
node-uncordon *args:
    npx tsx tasks node:uncordon "$@"

# every op:// reference in rackhand.yaml and the bootstrap templates resolves (missing ones listed); exit 1 otherwise
op-check *args:
    npx tsx tasks op:check "$@"

# render a template's {{ op://... }} placeholders to stdout or a 0600 file (all resolve or nothing is written)
op-inject *args:
    npx tsx tasks op:inject "$@"

# write the cluster's kubeconfig and talosconfig from 1Password, byte for byte, 0600, old file kept; identity-checked
op-pull *args:
    npx tsx tasks op:pull "$@"

# put the cluster's kubeconfig and talosconfig into 1Password as Documents, byte for byte; unchanged ones left alone
op-push *args:
    npx tsx tasks op:push "$@"

# check runbooks: every step a real task with valid flags and a known cluster (exit 2 naming the line)
runbook-check *args:
    npx tsx tasks runbook:check "$@"

# the runbooks: name, title, how many task and manual steps, where
runbook-list *args:
    npx tsx tasks runbook:list "$@"

# run a runbook: each step shown and asked for (--yes), under one lock; resumes at the first unfinished step
runbook-run *args:
    npx tsx tasks runbook:run "$@"

# time a 1Password change to the Kubernetes Secret and the pods using it (canary field, force-sync), field put back afterwards
secrets-verify-propagation *args:
    npx tsx tasks secrets:verify-propagation "$@"

# find secrets in the clear: files a .sops.yaml rule covers that are not encrypted, Secret manifests with plain values
sops-check *args:
    npx tsx tasks sops:check "$@"

# print a SOPS file decrypted, the age key from 1Password in sops' environment only (never on disk)
sops-decrypt *args:
    npx tsx tasks sops:decrypt "$@"

# edit a SOPS file in your editor through sops, the age key from 1Password in sops' environment only
sops-edit *args:
    npx tsx tasks sops:edit "$@"

# apply every node's machine config, control planes first, one at a time, each diff shown first; type the cluster name
talos-apply-cluster *args:
    npx tsx tasks talos:apply-cluster "$@"

# apply a node's machine config (maintenance mode or configured), showing the dry-run result first
talos-apply-node *args:
    npx tsx tasks talos:apply-node "$@"

# download a Talos image (default: the boot ISO) for the configured schematic and version, checksummed; --offline prints the URL
talos-download-image *args:
    npx tsx tasks talos:download-image "$@"

# save a timestamped etcd snapshot (size and sha256) under .rackhand/snapshots/<cluster>/
talos-etcd-snapshot *args:
    npx tsx tasks talos:etcd-snapshot "$@"

# render machine configs with talhelper, the age key from 1Password in its environment only; files 0600; changed nodes listed
talos-genconfig *args:
    npx tsx tasks talos:genconfig "$@"

# talos:download-image --image metal-amd64.iso: the boot ISO for the configured schematic and version
talos-generate-iso *args:
    npx tsx tasks talos:generate-iso "$@"

# schematic id, installer image and ISO URL for the configured schematic and version
talos-image *args:
    npx tsx tasks talos:image "$@"

# fetch the admin kubeconfig (configured context name, 0600, identity-checked); renewed when its certificate nears expiry
talos-kubeconfig *args:
    npx tsx tasks talos:kubeconfig "$@"

# reboot every node of a Talos cluster, rolling (control planes first, etcd checked) or --all-at-once; type the cluster name
talos-reboot-cluster *args:
    npx tsx tasks talos:reboot-cluster "$@"

# reboot one node and wait until it is Ready, its machine status ready and etcd whole again
talos-reboot-node *args:
    npx tsx tasks talos:reboot-node "$@"

# wipe every node of a Talos cluster back to maintenance mode, workers first; type the cluster name to confirm
talos-reset-cluster *args:
    npx tsx tasks talos:reset-cluster "$@"

# wipe a node (STATE, EPHEMERAL) back to maintenance mode; type the cluster name to confirm
talos-reset-node *args:
    npx tsx tasks talos:reset-node "$@"

# a new client certificate in the talosconfig, checked before it replaces the old one (kept as .bak); --push to 1Password
talos-rotate-talosconfig *args:
    npx tsx tasks talos:rotate-talosconfig "$@"

# schematic id of a schematic file, offline as the Image Factory hashes it; --upload registers it and checks the id
talos-schematic *args:
    npx tsx tasks talos:schematic "$@"

# power every node of a Talos cluster off, workers first (or --all-at-once), no drain; type the cluster name
talos-shutdown-cluster *args:
    npx tsx tasks talos:shutdown-cluster "$@"

# power one node off (Talos cordons and drains it unless --force) and wait until it is off
talos-shutdown-node *args:
    npx tsx tasks talos:shutdown-node "$@"

# upgrade Kubernetes with talosctl upgrade-k8s; postflight: every kubelet reports the target
talos-upgrade-k8s *args:
    npx tsx tasks talos:upgrade-k8s "$@"

# rolling Talos upgrade: control planes one at a time (after an etcd snapshot), then workers; resumable
talos-upgrade-node *args:
    npx tsx tasks talos:upgrade-node "$@"

# check the talosconfig against the machine CA: same CA, a client certificate it signed, valid, os:admin; nodes accept it
talos-verify-machine-ca *args:
    npx tsx tasks talos:verify-machine-ca "$@"

# back up every ReplicationSource now, a few at a time; paused ones left out and named; exit 1 if any failed
volsync-backup-all *args:
    npx tsx tasks volsync:backup-all "$@"

# the snapshots of an app, read straight from its restic repository: time, id, size
volsync-list *args:
    npx tsx tasks volsync:list "$@"

# restore an app's PVC in place; its GitOps owner (Flux or Argo CD) paused and replicas scaled down meanwhile, always put back
volsync-restore *args:
    npx tsx tasks volsync:restore "$@"

# unpause the ReplicationSources volsync:suspend-all paused (never one paused by hand)
volsync-resume-all *args:
    npx tsx tasks volsync:resume-all "$@"

# back up an app now: a unique manual trigger, waited for with a deadline; the schedule is kept
volsync-snapshot *args:
    npx tsx tasks volsync:snapshot "$@"

# every ReplicationSource: last sync, duration, result, next sync; stale or failed ones flagged (exit 1)
volsync-status *args:
    npx tsx tasks volsync:status "$@"

# pause every ReplicationSource (marked, so volsync:resume-all unpauses only those); an operator's pause stays
volsync-suspend-all *args:
    npx tsx tasks volsync:suspend-all "$@"

# clear stale restic locks through VolSync (spec.restic.unlock); --remove-all only when no mover runs
volsync-unlock *args:
    npx tsx tasks volsync:unlock "$@"
