// The lab's stand-in for the object store barman-cloud writes to: a folder per destinationPath and serverName, laid
// out as barman does (<dest>/<server>/base/<backupId>/, <dest>/<server>/wals/; barman docs "Barman Cloud" layout).
// A base backup is a real pg_dump (custom format) of each database with a backup.info; a WAL "segment" is the lab's
// replay unit: when a Cluster's data changed, its databases are dumped again with the time, so a recovery to a point
// in time replays to the newest segment at or before it. Every write names its writer (writes.log), and the first
// Cluster to archive into a server folder owns it: another one is refused as CNPG refuses a non-empty archive.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredSet { id: string; endTime: number; dir: string; databases: string[] }

export class LabObjectStore {
  constructor(private readonly root: string) {}

  /** the folder of one server in one destination */
  folder(destination: string, server: string): string {
    const d = createHash('sha256').update(destination).digest('hex').slice(0, 12);
    return join(this.root, d, server.replace(/[^\w.-]/g, '_'));
  }

  /** the uid of the Cluster that archives here; claims the folder for `uid` when it is empty */
  async owner(destination: string, server: string, uid: string): Promise<string> {
    const f = join(this.folder(destination, server), 'owner');
    try {
      return (await readFile(f, 'utf8')).trim();
    } catch {
      await mkdir(this.folder(destination, server), { recursive: true });
      await writeFile(f, uid);
      return uid;
    }
  }

  /** a new set folder (base backup or WAL segment) to dump into; logged as a write by `writer` */
  async begin(destination: string, server: string, kind: 'base' | 'wals', id: string, writer: string): Promise<string> {
    const dir = join(this.folder(destination, server), kind, id);
    await mkdir(dir, { recursive: true });
    await appendFile(join(this.root, 'writes.log'), `${writer} ${destination} ${server} ${kind}/${id}\n`);
    return dir;
  }

  async finish(dir: string, endTime: number, databases: string[]): Promise<void> {
    await writeFile(join(dir, 'backup.info'), JSON.stringify({ endTime: new Date(endTime).toISOString(), databases }));
  }

  async list(destination: string, server: string, kind: 'base' | 'wals'): Promise<StoredSet[]> {
    const base = join(this.folder(destination, server), kind);
    const ids = await readdir(base).catch(() => [] as string[]);
    const sets = await Promise.all(ids.map(async (id) => {
      try {
        const info = JSON.parse(await readFile(join(base, id, 'backup.info'), 'utf8')) as { endTime: string; databases: string[] };
        return { id, endTime: Date.parse(info.endTime), dir: join(base, id), databases: info.databases };
      } catch {
        return undefined; // not finished
      }
    }));
    return sets.filter((s): s is StoredSet => !!s).sort((a, b) => a.endTime - b.endTime);
  }

  /** who wrote where: "<writer> <destination> <server> <kind>/<id>" lines */
  async writes(): Promise<string[]> {
    return (await readFile(join(this.root, 'writes.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  }
}
