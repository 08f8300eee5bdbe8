// Gathers writes made in the same turn of the event loop into one call (one transaction, one
// commit), at most `max` at a time, and lets the event loop run between batches: 10,000 alarms
// raised by one timer tick become 40 commits instead of 10,000, and /health is answered meanwhile.
export class WriteBatcher<In, Out> {
  private pending: Array<{ item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly write: (items: In[]) => Promise<Out[]>,
    private readonly max: number,
  ) {}

  add(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.max);
    try {
      const outs = await this.write(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(outs[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.scheduled = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
