// Delivers a run's summary to the notify: targets of rackhand.yaml (--notify-on failure|always). Each target in its
// own request with a 10 s deadline; a delivery failure is logged with the target's type and host (never its URL: a
// webhook URL carries its token) and never changes the run's exit code. Secrets (op:// URLs, tokens, header values)
// are resolved through the secrets layer and registered with the redactor; the message is redacted before it leaves.
import type { Executor } from '../exec.ts';
import type { NotifyTarget } from '../config/notify.ts';
import type { Redactor } from '../redact.ts';
import type { RunRecord } from '../report.ts';
import { secretSource } from '../secrets/onepassword.ts';
import { summarise, type RunSummary } from './message.ts';

const TIMEOUT_MS = 10_000;
export interface Delivery { type: string; target: string; ok: boolean; status?: number; error?: string }

const isRef = (v: string) => v.startsWith('op://');
const show = (t: NotifyTarget) => (isRef(t.url) ? t.url : (() => { try { return new URL(t.url).host; } catch { return '?'; } })());

function request(t: NotifyTarget, url: string, s: RunSummary, record: RunRecord, secrets: Map<string, string>): { url: string; init: RequestInit } {
  const text = [s.title, ...s.lines].join('\n');
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ url, init: { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) } });
  switch (t.type) {
    // docs.ntfy.sh/publish: message as the body, Title/Priority/Tags headers (priority 4 = high), Bearer access token
    case 'ntfy': return { url, init: { method: 'POST', body: s.lines.join('\n'), headers: { Title: s.title, Priority: s.failed ? '4' : '3', Tags: s.failed ? 'rotating_light' : 'white_check_mark', ...(t.token ? { Authorization: `Bearer ${secrets.get(t.token)}` } : {}) } } };
    // discord.com/developers/docs/resources/webhook#execute-webhook: content, at most 2000 characters
    case 'discord': return json({ username: 'rackhand', content: text.slice(0, 2000) });
    // docs.slack.dev/messaging/sending-messages-using-incoming-webhooks: {text}
    case 'slack': return json({ text });
    // prometheus/alertmanager api/v2/openapi.yaml postableAlerts: labels, annotations, startsAt, endsAt (a success
    // resolves the alert a failure of the same task and cluster raised)
    case 'alertmanager': return json([{
      labels: { alertname: 'RackhandRunFailed', task: record.task, cluster: record.cluster ?? 'none', severity: s.severity },
      annotations: { summary: s.title, description: s.lines.join('\n') },
      startsAt: record.startedAt, ...(s.failed ? {} : { endsAt: record.finishedAt }),
    }]);
    case 'webhook': return json({
      task: record.task, cluster: record.cluster, result: record.result, exitCode: record.exitCode, title: s.title, lines: s.lines,
      error: record.error, findings: ((record.data.findings ?? []) as { status: string }[]).filter((f) => f.status === 'fail'), startedAt: record.startedAt, finishedAt: record.finishedAt,
    }, Object.fromEntries(Object.entries(t.headers ?? {}).map(([k, v]) => [k, isRef(v) ? secrets.get(v)! : v])));
  }
}

export async function notifyRun(o: {
  targets: NotifyTarget[]; on: 'failure' | 'always'; record: RunRecord; recordPath: string | undefined; exec: Executor; env: Record<string, string | undefined>; redactor: Redactor;
  log: (line: string, ok: boolean) => void;
}): Promise<Delivery[]> {
  if (o.on === 'failure' && o.record.exitCode === 0) return [];
  const refs = o.targets.flatMap((t) => [t.url, ...(t.type === 'ntfy' && t.token ? [t.token] : []), ...(t.type === 'webhook' ? Object.values(t.headers ?? {}) : [])]).filter(isRef);
  let secrets = new Map<string, string>();
  let refError: string | undefined;
  if (refs.length) secrets = await secretSource(o.exec, o.env).resolve(refs).catch((err: Error) => { refError = err.message; return new Map(); });
  for (const v of secrets.values()) o.redactor.add(v);
  const s = summarise(o.record, o.recordPath);
  const redacted: RunSummary = { ...s, title: o.redactor.redact(s.title), lines: s.lines.map((l) => o.redactor.redact(l)) };
  return Promise.all(o.targets.map(async (t): Promise<Delivery> => {
    const base = { type: t.type, target: show(t) };
    const url = isRef(t.url) ? secrets.get(t.url) : t.url;
    if (!url) { o.log(`notify ${t.type} ${show(t)}: not sent: ${refError ?? 'its URL did not resolve'}`, false); return { ...base, ok: false, error: 'URL not resolved' }; }
    const { url: to, init } = request(t, t.type === 'alertmanager' ? `${url.replace(/\/+$/, '')}/api/v2/alerts` : url, redacted, o.record, secrets);
    try {
      const res = await fetch(to, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) { o.log(`notify ${t.type} ${show(t)}: HTTP ${res.status}`, false); return { ...base, ok: false, status: res.status }; }
      o.log(`notified ${t.type} ${show(t)}`, true);
      return { ...base, ok: true, status: res.status };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : e.cause?.code ?? e.cause?.message ?? e.message;
      o.log(`notify ${t.type} ${show(t)}: ${o.redactor.redact(why)}`, false);
      return { ...base, ok: false, error: o.redactor.redact(why) };
    }
  }));
}
