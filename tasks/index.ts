// CLI entry: `npx tsx tasks <namespace:name> [flags]`, `tasks list`, `tasks help <name>`. The registry is discovered
// from tasks/<namespace>/<name>.ts here and from the operator's task folders (lib/engine/discover.ts).
import { runCli } from '../lib/engine/cli.ts';
import { processIO } from '../lib/engine/io.ts';

process.exitCode = await runCli(process.argv.slice(2), { io: processIO(process.env), env: process.env, cwd: process.cwd() });
