// What the spreadsheet model asks of the services around it (env.ts), as a type of its own so the model
// and the services do not import each other.

/** Virtual milliseconds an operation costs; tuned to the order of magnitude of real Sheets. */
export interface Cost {
  call: number;
  readCell: number;
  writeCell: number;
  formatCell: number;
}

/** The execution the spreadsheet model runs in: its clock, call counting and write checks. */
export interface Host {
  cost: Cost;
  /** Counts one service call. */
  hit(name: string): void;
  /** Counts one write, refused without the lock when the execution must hold it. */
  write(name: string): void;
  /** Runs fn without counting its calls (the fake's own bookkeeping). */
  quietly<T>(fn: () => T): T;
  /** Advances the virtual clock. */
  spend(ms: number): void;
  makeDate: (ms: number) => Date;
}
