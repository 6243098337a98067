// Writing a file so no reader ever sees half of it or a moment of the wrong mode: a temp file next to it, created
// with the final mode (`wx`: never someone else's file), then renamed over the target (rename(2) is atomic within a
// file system). The temp file is gone afterwards in every case.
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.rackhand-${process.pid}.tmp`;
  await rm(tmp, { force: true });
  try {
    await writeFile(tmp, content, { mode, flag: 'wx' });
    await chmod(tmp, mode); // the umask may have narrowed or the mode must be exact
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}
