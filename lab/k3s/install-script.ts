// What the lab's https://get.k3s.io serves: a stand-in for k3s-io/k3s install.sh that the lab node recognises by its
// marker and runs as the world's install (lab/k3s/world.ts K3sWorld.install reads the same env and arguments).
export const INSTALL_SCRIPT_MARK = 'rackhand-lab k3s install script';

export function installScript(): string {
  return [
    '#!/bin/sh',
    `# ${INSTALL_SCRIPT_MARK}: the lab node runs it as k3s-io/k3s install.sh would`,
    '# env: INSTALL_K3S_VERSION INSTALL_K3S_EXEC INSTALL_K3S_SKIP_START K3S_URL K3S_TOKEN K3S_TOKEN_FILE; args: [server|agent] FLAGS...',
    'set -e',
    '',
  ].join('\n');
}
