/** A binary min-heap under a comparison function. */
export class PriorityHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    // The new item moves up into its place; no swap arrays (this runs per frame).
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      // The last item moves down from the top into its place.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = l < items.length && this.before(items[l]!, last) ? l : -1;
        if (r < items.length && this.before(items[r]!, least < 0 ? last : items[least]!)) least = r;
        if (least < 0) break;
        items[i] = items[least]!;
        i = least;
      }
      items[i] = last;
    }
    return top;
  }

  /** True if some queued item satisfies `test` (in no particular order). */
  some(test: (item: T) => boolean): boolean {
    return this.items.some(test);
  }
}
