// The watch stream parser: kubectl prints each watch event as a JSON object, pretty-printed, one after the other; the
// pieces arrive in arbitrary chunks. Braces and quotes inside strings must not end an object.
import { describe, expect, it } from 'vitest';
import { JsonObjectStream } from '../../lib/k8s/watch.ts';

describe('JsonObjectStream', () => {
  it('splits concatenated pretty-printed objects arriving in arbitrary chunks', () => {
    const events = [
      { type: 'ADDED', object: { metadata: { name: 'a', namespace: 'x' }, data: { s: 'a } brace and a "quote" and \\ backslash {' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'b' }, list: [{ n: 1 }, { n: 2 }] } },
      { type: 'DELETED', object: { metadata: { name: 'c' } } },
    ];
    const text = events.map((e) => JSON.stringify(e, null, 4)).join('\n');
    for (const size of [1, 3, 7, 64, text.length]) {
      const p = new JsonObjectStream();
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      expect(out, `chunks of ${size}`).toEqual(events);
    }
  });

  it('keeps an unfinished object until the rest arrives, and skips text between objects', () => {
    const p = new JsonObjectStream();
    expect(p.push('W1204 a warning line\n{"type":"ADDED","object":{"metadata":{"na')).toEqual([]);
    expect(p.push('me":"x"}}}\n{"type":"DELETED","object":{}}')).toEqual([{ type: 'ADDED', object: { metadata: { name: 'x' } } }, { type: 'DELETED', object: {} }]);
  });
});
