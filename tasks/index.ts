// CLI entry: `npx tsx tasks <namespace:name> [flags]`, `tasks list`, `tasks help <name>`.
import { runCli } from '../lib/engine/cli.ts';
import { processIO } from '../lib/engine/io.ts';
import { registry } from './registry.ts';

process.exitCode = await runCli(process.argv.slice(2), { io: processIO(process.env), env: process.env, cwd: process.cwd(), registry });
