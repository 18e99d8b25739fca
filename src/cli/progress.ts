/**
 * A one-line download meter for `spdycat`, drawn on standard error when it
 * is a terminal: bytes so far, the total when `content-length` says it, and
 * the rate. Redrawn at most every 100 ms so that it costs nothing.
 */

/** Where the meter draws: a terminal stream. */
export interface MeterOutput {
  write(text: string): unknown;
  readonly columns?: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

interface Transfer {
  readonly label: string;
  received: number;
  total: number | undefined;
}

export class ProgressMeter {
  private readonly transfers = new Map<number, Transfer>();
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: MeterOutput, private readonly now: () => number = Date.now) {}

  /** A transfer begins; `total` from its `content-length`, if any. */
  start(id: number, label: string, total: number | undefined): void {
    this.transfers.set(id, { label, received: 0, total });
  }

  /** `n` more bytes arrived for transfer `id`. */
  add(id: number, n: number): void {
    const t = this.transfers.get(id);
    if (!t) return;
    t.received += n;
    const now = this.now();
    if (now - this.lastDraw >= 100) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  /** Transfer `id` is over. */
  finish(id: number): void {
    this.transfers.delete(id);
    if (this.transfers.size === 0) this.clear();
  }

  /** Removes the line from the terminal. */
  clear(): void {
    if (!this.drawn) return;
    this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(now: number): void {
    let received = 0;
    let total = 0;
    let known = true;
    for (const t of this.transfers.values()) {
      received += t.received;
      if (t.total === undefined) known = false;
      else total += t.total;
    }
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = `${formatBytes(Math.round(received / seconds))}/s`;
    const label = this.transfers.size === 1 ? [...this.transfers.values()][0]!.label : `${this.transfers.size} streams`;
    const amount = known && total > 0
      ? `${formatBytes(received)} / ${formatBytes(total)} (${Math.floor((received / total) * 100)}%)`
      : formatBytes(received);
    let line = `${label}  ${amount}  ${rate}`;
    const width = (this.out.columns ?? 80) - 1;
    if (line.length > width) line = line.slice(line.length - width);
    this.out.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }
}
