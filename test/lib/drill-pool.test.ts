// The drill scheduler: never more than `parallel` drills at once, never two on one repository at once, every app drilled.
import { describe, expect, it } from 'vitest';
import { drillPool } from '../../lib/dr/pool.ts';

describe('drillPool', () => {
  it('runs up to the limit at once, one per repository, and every app once', async () => {
    const apps = ['a1', 'a2', 'b1', 'c1', 'd1', 'b2', 'e1'];
    const repo = (a: string) => a[0]!;
    let now = 0;
    let peak = 0;
    const active = new Set<string>();
    const done: string[] = [];
    await drillPool(apps, 3, async (a) => repo(a), async (a) => {
      expect([...active].map(repo)).not.toContain(repo(a));
      active.add(a);
      peak = Math.max(peak, active.size);
      now++;
      await new Promise((r) => setTimeout(r, 5 + (a.charCodeAt(0) % 3) * 5));
      active.delete(a);
      done.push(a);
    });
    expect(done.sort()).toEqual([...apps].sort());
    expect(peak).toBe(3);
    expect(now).toBe(apps.length);
  });

  it('with a limit of one it keeps the order given', async () => {
    const order: string[] = [];
    await drillPool(['x', 'y', 'z'], 1, async (a) => a, async (a) => { order.push(a); });
    expect(order).toEqual(['x', 'y', 'z']);
  });
});
