// A one-line progress indicator on stderr, for files big enough to wait for. Silent unless stderr is a terminal.

export interface Progress {
  /** Starts a phase ("Reading deals.csv"); `fraction` updates move its percentage. */
  phase(label: string): void;
  update(fraction: number): void;
  /** Clears the line so the review prints on a clean screen. */
  done(): void;
}

const SILENT: Progress = { phase: () => undefined, update: () => undefined, done: () => undefined };

/** Files from this size on show progress; smaller ones finish before a bar would be read. */
export const PROGRESS_MIN_BYTES = 2 * 1024 * 1024;

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

export function createProgress(stream: ProgressStream, enabled: boolean, now: () => number = () => performance.now()): Progress {
  if (!enabled || !stream.isTTY) return SILENT;
  const start = now();
  let label = "";
  let fraction: number | null = null;
  let lastDraw = -Infinity;
  let shown = false;
  const draw = (force: boolean): void => {
    const t = now();
    // Redrawing more often than every 80 ms only costs time in the hot loop that calls us.
    if (!force && t - lastDraw < 80) return;
    lastDraw = t;
    const secs = ((t - start) / 1000).toFixed(1);
    let bar = "";
    if (fraction !== null) {
      const width = 20;
      const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
      bar = ` [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
    }
    const line = `pipesheet: ${label}…${bar}  ${secs}s`;
    // A pty without a size reports 0 columns; assume the classic 80 then.
    const cols = stream.columns !== undefined && stream.columns >= 20 ? stream.columns - 1 : 79;
    stream.write(`\r\x1b[K${line.length > cols ? line.slice(0, cols) : line}`);
    shown = true;
  };
  return {
    phase(l) {
      label = l;
      fraction = null;
      draw(true);
    },
    update(f) {
      fraction = f;
      draw(false);
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
