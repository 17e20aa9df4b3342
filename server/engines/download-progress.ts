// Download progress on stderr: a bar redrawn in place on a terminal; otherwise (logs, CI,
// pipes) one plain line at most every few seconds, so the log stays readable.
const BAR_WIDTH = 30;
const TTY_REDRAW_MS = 100;
const LINE_EVERY_MS = 5_000;

export interface ProgressOutput {
  isTTY?: boolean | undefined;
  write(text: string): unknown;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export class DownloadProgress {
  private lastDraw = 0;
  private startedAt = performance.now();
  private startBytes: number | undefined;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  update(received: number, total: number | undefined): void {
    this.startBytes ??= received;
    const t = this.now();
    const every = this.out.isTTY ? TTY_REDRAW_MS : LINE_EVERY_MS;
    if (t - this.lastDraw < every && received !== total) return;
    this.lastDraw = t;
    this.draw(received, total, t);
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.out.isTTY && this.lastDraw > 0) this.out.write("\n");
  }

  private draw(received: number, total: number | undefined, t: number): void {
    const seconds = Math.max((t - this.startedAt) / 1000, 0.001);
    const rate = `${formatBytes((received - (this.startBytes ?? 0)) / seconds)}/s`;
    const amount = total ? `${formatBytes(received)} / ${formatBytes(total)}` : formatBytes(received);
    const pct = total ? Math.min(100, Math.floor((received / total) * 100)) : undefined;
    if (this.out.isTTY) {
      const filled = pct === undefined ? 0 : Math.round((pct / 100) * BAR_WIDTH);
      const bar = pct === undefined ? "" : `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${String(pct).padStart(3)}% `;
      this.out.write(`\r\x1b[2K${this.label} ${bar}${amount} ${rate}`);
    } else {
      this.out.write(`${this.label}: ${pct === undefined ? "" : `${pct}% `}${amount} ${rate}\n`);
    }
  }
}
