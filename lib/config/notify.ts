// The `notify:` section of rackhand.yaml: where a run reports when asked with --notify-on failure|always. URLs and
// tokens that are secrets (a Discord or Slack webhook URL carries its token) are op:// references.
import { z } from 'zod';
import { text } from '../validate.ts';

const urlOrRef = text('expected an https?:// URL or an op://vault/item/field reference to one', /^(https?:\/\/\S+|op:\/\/[^/]+\/[^/]+\/.+)$/);
const secret = text('expected an op://vault/item/field reference (secrets are not kept in rackhand.yaml)', /^op:\/\/[^/]+\/[^/]+\/.+$/);

export const notifyTargetSchema = z.discriminatedUnion('type', [
  // docs.ntfy.sh/publish: POST the message to the topic URL; Title, Priority, Tags headers; access tokens as Bearer
  z.strictObject({ type: z.literal('ntfy'), url: urlOrRef, token: secret.optional() }),
  z.strictObject({ type: z.literal('webhook'), url: urlOrRef, headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name'), text('expected a header value or an op:// reference')).optional() }),
  z.strictObject({ type: z.literal('discord'), url: urlOrRef }),
  z.strictObject({ type: z.literal('slack'), url: urlOrRef }),
  // Alertmanager API v2: POST <url>/api/v2/alerts
  z.strictObject({ type: z.literal('alertmanager'), url: urlOrRef }),
], { error: 'expected a target with type ntfy, webhook, discord, slack or alertmanager' });

export const notifySchema = z.array(notifyTargetSchema);
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;
