// A binary min-heap of (time, item): the fleet keeps one entry per device keyed by its next send.

export class ScheduleHeap<T> {
  private times: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.times.length;
  }

  peekTime(): number | undefined {
    return this.times[0];
  }

  push(time: number, item: T): void {
    const t = this.times;
    const it = this.items;
    let i = t.length;
    t.push(time);
    it.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (t[parent]! <= time) break;
      t[i] = t[parent]!;
      it[i] = it[parent]!;
      i = parent;
    }
    t[i] = time;
    it[i] = item;
  }

  pop(): { time: number; item: T } | undefined {
    const t = this.times;
    const it = this.items;
    if (t.length === 0) return undefined;
    const top = { time: t[0]!, item: it[0]! };
    const lastT = t.pop()!;
    const lastI = it.pop()!;
    const n = t.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && t[r]! < t[l]! ? r : l;
        if (t[c]! >= lastT) break;
        t[i] = t[c]!;
        it[i] = it[c]!;
        i = c;
      }
      t[i] = lastT;
      it[i] = lastI;
    }
    return top;
  }

  clear(): void {
    this.times = [];
    this.items = [];
  }
}
