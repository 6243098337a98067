// op whoami and op vault list: who is signed in, and what it can see.
import { createHash } from 'node:crypto';
import { goJson, keyValues, out, signedIn, type OpCommand } from './command.js';

const json = (format: unknown) => String(format).toLowerCase() === 'json';

// approximate: service-account output of `op whoami` as remembered ("URL", "Integration ID", "User Type"); op-js
// src/commands/whoami.ts only pins that a signed-out whoami fails with a message containing "signed in"
export const whoamiCmd: OpCommand = {
  path: 'whoami',
  flags: [],
  async run(c) {
    const who = signedIn(c);
    const url = who.kind === 'connect' ? who.host : 'https://my.1password.com';
    const id = createHash('sha256').update(who.kind === 'connect' ? who.host : who.token).digest('hex').slice(0, 26).toUpperCase();
    const userType = who.kind === 'connect' ? 'CONNECT' : 'SERVICE_ACCOUNT';
    if (json(c.flags.format)) out(c, goJson({ url, integration_id: id, user_type: userType }));
    else out(c, keyValues([['URL', url], ['Integration ID', id], ['User Type', userType]]));
  },
};

// op vault list [--format json]: a table of ID and NAME (text/tabwriter, padding 4); JSON fields approximate
export const vaultListCmd: OpCommand = {
  path: 'vault list',
  flags: [],
  async run(c) {
    signedIn(c);
    const vaults = c.account.vaults;
    if (json(c.flags.format)) {
      out(c, goJson(vaults.map((v) => ({ id: v.id, name: v.name, content_version: v.items.length + 1, created_at: v.createdAt, updated_at: v.updatedAt, items: v.items.length }))));
      return;
    }
    const w = Math.max(2, ...vaults.map((v) => v.id.length)) + 4;
    out(c, `${'ID'.padEnd(w)}NAME\n${vaults.map((v) => `${v.id.padEnd(w)}${v.name}\n`).join('')}`);
  },
};
