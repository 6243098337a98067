// The verification queries a restored database must answer (backups.cnpg.<cluster>.verify, backups.dumps.<name>.verify
// in rackhand.yaml), run with psql in the restored PostgreSQL's pod: a table's rows counted (at least minRows,
// default 1), or a query whose first value must equal `expect`. psql flags: -X (no ~/.psqlrc), -A -t (unaligned
// values only), -v ON_ERROR_STOP=1 (postgresql.org/docs/current/app-psql.html).
import type { Verification } from '../config/databases.ts';
import type { TaskContext } from '../engine/types.ts';
import type { DrillCheck } from './drill.ts';

/** What a program run with `kubectl exec` said went wrong: its own error line (psql's, pg_restore's, gzip's), not
 *  kubectl's "command terminated with exit code N" after it. */
export function execError(r: { stdout: string; stderr: string; exitCode: number }): string {
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !/^command terminated with exit code/.test(l));
  return lines.find((l) => /^(\w+: )?(ERROR|FATAL|error):/.test(l)) ?? lines.pop() ?? `exited ${r.exitCode}`;
}

/** a table name as a quoted SQL identifier ("schema"."table") */
const quoted = (table: string) => table.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

export function verificationSql(v: Verification): string {
  return v.table ? `select count(*) from ${quoted(v.table)}` : v.query!;
}

/** Runs each verification; a failing query is a failed check with psql's own error. */
export async function runVerifications(ctx: TaskContext, where: { namespace: string; pod: string; container: string; user?: string },
  list: Verification[], timeoutMs: number): Promise<DrillCheck[]> {
  const checks: DrillCheck[] = [];
  for (const v of list) {
    const sql = verificationSql(v);
    const name = v.table ? `${v.database}: rows in ${v.table}` : `${v.database}: ${sql}`;
    const r = await ctx.kubectl.execIn(where.namespace, where.pod, where.container,
      ['psql', '-X', '-U', where.user ?? 'postgres', '-d', v.database, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], Math.min(timeoutMs, 300_000));
    if (r.exitCode !== 0) {
      checks.push({ name, ok: false, message: execError(r) });
      continue;
    }
    const value = r.stdout.trim().split('\n')[0]?.split('|')[0] ?? '';
    if (v.table) {
      const min = v.minRows ?? 1;
      const rows = Number(value);
      checks.push({ name, ok: Number.isFinite(rows) && rows >= min, message: `${value} rows (at least ${min})` });
    } else {
      checks.push({ name, ok: value === v.expect, message: value === v.expect ? `returned ${value}` : `returned "${value}", expected "${v.expect}"` });
    }
  }
  return checks;
}
