// Keeps a run inside Apps Script's 6-minute limit: learns how long a written cell takes and says whether the next chunk fits.
export interface Budget {
  startedAt: number;
  /** Stop starting new chunks once elapsed time plus the next chunk's estimate would pass this. */
  limitMs: number;
  now: () => number;
}

/** A first guess before anything was measured: Sheets writes roughly 50,000 cells a second. */
const FIRST_GUESS_MS_PER_CELL = 0.02;
/** Estimates are padded, since a chunk can be slower than the last. */
const SAFETY = 1.25;

export class Pace {
  private msPerCell = FIRST_GUESS_MS_PER_CELL;
  /** True once this execution wrote a chunk: every part must make progress, so the first chunk always runs. */
  progressed = false;

  constructor(private budget: Budget) {}

  fits(cells: number): boolean {
    if (!this.progressed) return true;
    const elapsed = this.budget.now() - this.budget.startedAt;
    return elapsed + cells * this.msPerCell * SAFETY <= this.budget.limitMs;
  }

  /** Runs one chunk of `cells` written cells and learns from its time. */
  chunk<T>(cells: number, fn: () => T): T {
    const t0 = this.budget.now();
    const out = fn();
    const ms = this.budget.now() - t0;
    if (cells > 0) this.msPerCell = Math.max(this.msPerCell * 0.5, ms / cells);
    this.progressed = true;
    return out;
  }
}
