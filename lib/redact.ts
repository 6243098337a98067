// Secret redaction shared by exec, logs, run records and reports. A registered value is replaced by *** wherever it
// appears, including inside longer strings (a token inside a URL or an env assignment).
export const REDACTED = '***';

export class Redactor {
  private readonly secrets = new Set<string>();

  private readonly short = new Set<string>();
  private readonly patterns: { re: RegExp; replace: string }[] = [];

  /** A pattern whose match is a secret wherever it appears (the value after `token:` in a Talos config diff, whose
   *  old side rackhand never read). `replace` may use the pattern's groups ($1). Patterns must be global (g). */
  addPattern(re: RegExp, replace: string): void {
    if (!re.global) throw new Error(`redaction pattern ${re} must be global`);
    if (!this.patterns.some((p) => p.re.source === re.source)) this.patterns.push({ re, replace });
  }

  add(value: string | undefined): void {
    if (!value) return;
    // A short secret ("abc") would also match inside ordinary words: it is replaced only where it stands alone
    // (not inside a longer run of letters and digits), which still covers `KEY=abc`, `"abc"`, `--token abc`.
    if (value.length >= 4) this.secrets.add(value); else this.short.add(value);
  }

  get size(): number { return this.secrets.size + this.short.size + this.patterns.length; }

  redact(text: string): string {
    let out = text;
    // Longest first so a secret that contains another is replaced whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    for (const s of this.short) out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(s)}(?![A-Za-z0-9])`, 'g'), REDACTED);
    for (const p of this.patterns) out = out.replace(p.re, p.replace);
    return out;
  }

  redactArgv(argv: readonly string[]): string[] { return argv.map((a) => this.redact(a)); }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    }
    return value;
  }
}

function escapeRegExp(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
