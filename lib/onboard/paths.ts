// Renaming a cluster inside a path without touching anything that merely contains its name: only whole tokens of a
// path (segments, and their parts between - _ .) equal to the old name change, so `home` becomes `lab2` in
// `talos/home/talconfig.yaml` and `kubeconfig-home` but not in `home-ops` or `homelab`.
export function renameInPath(path: string, from: string, to: string): string | undefined {
  let changed = false;
  const out = path.split('/').map((seg) => seg.split(/([-_.])/).map((tok) => {
    if (tok !== from) return tok;
    changed = true;
    return to;
  }).join('')).join('/');
  return changed ? out : undefined;
}
