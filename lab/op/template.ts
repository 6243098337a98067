// op inject's template syntax (developer.1password.com/docs/cli/secrets-template-syntax):
// - an unenclosed reference begins with op:// not preceded by an alphanumeric, -, +, \ or . and runs until the first
//   character outside alphanumerics, -, ?, _, . (and /, which every reference contains; the page's list omits it);
// - an enclosed reference is {{ op://... }}, possibly padded with spaces;
// - {{ "..." }} is a quoted string copied as it is (\" and \\ escapes), the way to write literal braces;
// - anything else between {{ }} fails: "parsing error at L:C: only secret references or quoted strings can be
//   enclosed in unescaped {{ }}s" (verbatim, third-party capture of op 2.x; the position is assumed to be the {{).
// The whole file is parsed, comments included (third-party note: a stray "op:// pointers" in a comment fails inject).
// Not implemented: $VAR / ${VAR:-default} variable tags.
import { OpError, parseRef, type SecretRef } from './reference.js';

export type Piece = { text: string } | { ref: SecretRef };

const BEFORE = /[A-Za-z0-9\-+\\.]/;
const REF_CHAR = /[A-Za-z0-9\-?_./]/;

function position(s: string, i: number): string {
  const before = s.slice(0, i).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function readRef(s: string, i: number): number {
  let j = i + 'op://'.length;
  while (j < s.length && REF_CHAR.test(s[j]!)) j++;
  return j;
}

export function parseTemplate(s: string): Piece[] {
  const out: Piece[] = [];
  let text = '';
  let i = 0;
  const flush = () => { if (text) out.push({ text }); text = ''; };
  while (i < s.length) {
    if (s.startsWith('{{', i)) {
      const bad = () => new OpError(`parsing error at ${position(s, i)}: only secret references or quoted strings can be enclosed in unescaped {{ }}s`);
      let j = i + 2;
      while (s[j] === ' ') j++;
      let piece: Piece;
      if (s.startsWith('op://', j)) {
        const end = readRef(s, j);
        piece = { ref: parseRef(s.slice(j, end)) };
        j = end;
      } else if (s[j] === '"') {
        let lit = '';
        j++;
        while (j < s.length && s[j] !== '"') {
          if (s[j] === '\\' && j + 1 < s.length) j++;
          lit += s[j];
          j++;
        }
        if (s[j] !== '"') throw bad();
        piece = { text: lit };
        j++;
      } else throw bad();
      while (s[j] === ' ') j++;
      if (!s.startsWith('}}', j)) throw bad();
      flush();
      out.push(piece);
      i = j + 2;
      continue;
    }
    if (s.startsWith('op://', i) && (i === 0 || !BEFORE.test(s[i - 1]!))) {
      const end = readRef(s, i);
      flush();
      out.push({ ref: parseRef(s.slice(i, end)) });
      i = end;
      continue;
    }
    text += s[i];
    i++;
  }
  flush();
  return out;
}
