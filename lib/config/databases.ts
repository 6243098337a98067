// The database sections of `backups:` in rackhand.yaml: CloudNativePG clusters (`backups.cnpg.<cluster>`) and
// pg_dump backups on a volume or NFS export (`backups.dumps.<name>`), each with its drill targets and the
// verification queries a restored copy must answer: a row count of a table, or a query whose first value is expected.
import { z } from 'zod';
import { DURATION } from '../patterns.ts';
import { text } from '../validate.ts';

const rto = text('expected a duration like 30m', DURATION).optional();
const rpo = text('expected a duration like 25h', DURATION).optional();
const dbName = text('expected a database name like app', /^[A-Za-z_][\w$-]{0,62}$/);

/** one verification: `table` (its rows counted, at least minRows, default 1) or `query` (its first value equal to `expect`) */
export const verifySchema = z.strictObject({
  database: dbName,
  table: text('expected a table name like items or public.items', /^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/).optional(),
  minRows: z.number({ error: 'expected a whole number of rows, e.g. 1' }).int().min(0).optional(),
  query: text('expected one SQL query, e.g. select count(*) from users where admin').optional(),
  expect: z.union([z.string(), z.number()], { error: 'expected the value the query returns, e.g. "1"' }).transform(String).optional(),
}).superRefine((v, c) => {
  if (!v.table === !v.query) c.addIssue({ code: 'custom', message: 'expected one of table or query' });
  if (v.query && v.expect === undefined) c.addIssue({ code: 'custom', path: ['expect'], message: 'expected the value the query must return' });
  if (v.table && v.expect !== undefined) c.addIssue({ code: 'custom', path: ['expect'], message: 'expected minRows with table (expect goes with query)' });
});
export type Verification = z.infer<typeof verifySchema>;

export const cnpgTargetSchema = z.strictObject({
  /** the Cluster's namespace (default: found in any namespace) */
  namespace: text('expected a namespace name', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional(),
  rto, rpo,
  verify: z.array(verifySchema).optional(),
});

export const dumpTargetSchema = z.strictObject({
  namespace: text('expected a namespace name', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  /** where the dumps are: a PVC in `namespace`, or an NFS export */
  pvc: text('expected a PersistentVolumeClaim name', /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).optional(),
  nfs: z.strictObject({ server: text('expected an NFS server name or address'), path: text('expected an export path like /mnt/tank/backups', /^\//) }).optional(),
  /** the folder inside the volume (default its root) */
  path: text('expected a path inside the volume like postgres/immich', /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0]*$/).optional(),
  /** which files are dumps: a glob on the file name (default *.dump, *.sql.gz and *.sql) */
  pattern: text('expected a file name glob like immich-*.dump').optional(),
  /** how many dumps retention keeps (e.g. 7 for 7 daily): the count must match */
  retention: z.number({ error: 'expected how many dumps are kept, e.g. 7' }).int().min(1).optional(),
  /** the database the newest dump is restored into in the throwaway PostgreSQL */
  database: dbName.optional(),
  /** the throwaway PostgreSQL's image (default a pinned postgres); match the dump's major version or newer */
  image: text('expected an image reference like docker.io/library/postgres:16.4', /^[a-z0-9][\w./:@-]*$/).optional(),
  rto, rpo,
  verify: z.array(verifySchema).optional(),
}).superRefine((d, c) => {
  if (!d.pvc === !d.nfs) c.addIssue({ code: 'custom', message: 'expected one of pvc or nfs' });
});
export type DumpTarget = z.infer<typeof dumpTargetSchema>;
