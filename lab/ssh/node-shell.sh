#!/bin/bash
# The ForceCommand of a lab node's sshd (lab/ssh/sshd.ts): hands the command an ssh client sent
# (SSH_ORIGINAL_COMMAND, sshd(8)) and its stdin to the lab's node-shell port, then writes back what the simulated
# machine printed and exits with its code. bash's /dev/tcp and coreutils base64 only: a few milliseconds per
# session, where a Node.js client would take a hundred. Protocol (lab/k3s/shell-server.ts): four lines out (node,
# user, command and stdin base64-encoded), three lines back (exit code, stdout and stderr base64-encoded).
# usage: node-shell.sh PORT NODE
exec 3<>"/dev/tcp/127.0.0.1/$1" || { echo "lab node $2: the lab does not answer on port $1" >&2; exit 255; }
cmd=$(printf '%s' "${SSH_ORIGINAL_COMMAND-}" | base64 -w0)
input=$(base64 -w0)
printf '%s\n%s\n%s\n%s\n' "$2" "${USER:-root}" "$cmd" "$input" >&3
IFS= read -r code <&3 || { echo "lab node $2: the lab closed the connection" >&2; exit 255; }
IFS= read -r out <&3
IFS= read -r err <&3
printf '%s' "$out" | base64 -d
printf '%s' "$err" | base64 -d >&2
exit "$code"
