#!/usr/bin/env bash
# The main job against the built-in lab: start a simulated homelab, run the main workflows (status, Talos upgrades,
# VolSync backup/restore, DR verify and drill, a cluster bootstrap, then a k3s cluster from nothing) against it with
# the machine's real kubectl, and stop the lab again (also when a step fails).
set -euo pipefail
cd "$(dirname "$0")/.."
export RACKHAND_STATE_DIR="${RACKHAND_STATE_DIR:-$PWD/.rackhand/demo}"

tasks() { echo; echo "+ npx tsx tasks $*" >&2; npx --no-install tsx tasks "$@"; }
# a failing step ends the demo with its exit code and says which one it was (never a shell error, never a green end)
trap 'code=$?; echo; echo "demo stopped: \"$BASH_COMMAND\" exited $code" >&2; exit $code' ERR
# `eval "$(lab:up)"` would swallow lab:up's exit code: take its output first, then evaluate it
lab_up() {
  local out
  out=$(npx --no-install tsx tasks lab:up "$@") || { echo "demo stopped: lab:up failed (its error is above)" >&2; exit 1; }
  eval "$out"
}

trap 'npx --no-install tsx tasks lab:down >/dev/null || true' EXIT
lab_up
echo "lab is up: KUBECONFIG=$KUBECONFIG RACKHAND_CONFIG=$RACKHAND_CONFIG" >&2

tasks cluster:status --cluster lab
tasks talos:image --cluster lab --version v1.12.2
tasks talos:etcd-snapshot --cluster lab
# The lab's web PodDisruptionBudget allows no disruption (2 of 2 needed): a rolling upgrade refuses (exit 3, naming
# it per node) rather than let Talos <= 1.12 reboot through it. Give the budget room, as an operator would, then roll.
code=0; tasks talos:upgrade-node --cluster lab --all --to v1.12.2 --yes || code=$?
[ "$code" = 3 ] || { echo "demo stopped: expected the PDB refusal (exit 3), got $code" >&2; exit 1; }
echo "+ kubectl scale deployment/web -n default --replicas=3" >&2
kubectl scale deployment/web -n default --replicas=3
kubectl wait pdb/web -n default --for=jsonpath='{.status.disruptionsAllowed}'=1 --timeout=60s
tasks talos:upgrade-node --cluster lab --all --to v1.12.2 --dry-run
tasks talos:upgrade-node --cluster lab --all --to v1.12.2 --yes
tasks talos:upgrade-node --cluster lab --all --to v1.12.2 --yes      # re-run: nothing to do
tasks talos:upgrade-k8s --cluster lab --to v1.32.3 --yes
tasks talos:reboot-node --cluster lab --node w1 --yes
tasks volsync:status --cluster lab
tasks volsync:snapshot --cluster lab --app paperless
tasks volsync:list --cluster lab --app paperless
tasks dr:verify-backups --cluster lab --app paperless
tasks volsync:restore --cluster lab --app paperless --yes --confirm-cluster lab
tasks dr:drill --cluster lab --all --yes --metrics-file "$(pwd)/.rackhand/demo-dr.prom"
grep '^dr_drill_success' .rackhand/demo-dr.prom
tasks cluster:status --cluster lab --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(`run record: result=${r.result} exit=${r.exitCode} nodes=${r.data.nodes.length} commands=${r.commands.length}`)})'
tasks lab:status

# Part two: bootstrap a brand-new cluster. A fresh lab whose machines are all in maintenance mode (no etcd, no API).
tasks lab:down
lab_up --empty --topology lab/topologies/infra.yaml
tasks bootstrap:infra --dry-run
tasks bootstrap:infra --yes
tasks bootstrap:infra --yes                                           # re-run: nothing to do
tasks cluster:status --cluster infra

# Part three: a k3s HA cluster on ordinary VMs, from nothing. Each node is a real sshd on 127.0.0.1 (its host key
# learned once with --accept-new-host-key); install, snapshot off-node, roll an upgrade, restore the state, remove a node.
tasks lab:down
lab_up --empty --topology lab/topologies/k3s-ha.yaml
tasks k3s:install --cluster lab --all --yes --accept-new-host-key
tasks k3s:install --cluster lab --all --yes                           # re-run: nothing to do
tasks cluster:snapshot --cluster lab --name demo
tasks k3s:upgrade --cluster lab --all --to v1.31.4+k3s1 --yes
tasks k3s:history --cluster lab
snapshot=$(ls "$(dirname "$RACKHAND_CONFIG")/k3s-snapshots/lab" | grep '^demo-.*[0-9]$' | tail -1)
tasks cluster:restore --cluster lab --snapshot "$snapshot" --yes --confirm-cluster lab
tasks node:remove --cluster lab --node a1 --yes --confirm-cluster lab
tasks cluster:snapshots --cluster lab --off-node-only                 # the copies kept off the nodes, sha256 checked
echo; echo "demo finished: each workflow above ran against the lab and exited 0" >&2
