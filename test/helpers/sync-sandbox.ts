// A local Sheets API harness for the file tests of a test file, and a fresh folder per case under it.
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { runInProcess, startHarness, type Harness } from "../fakes/sheets-api/harness.js";

export interface SyncSandbox {
  /** The harness, once beforeAll has started it. */
  harness(): Harness;
  /** A new empty folder for one case. */
  fresh(): string;
  /** `pipesheet sync ARGS --today 2026-11-26`, run in this process against the harness. */
  sync(...args: string[]): ReturnType<typeof runInProcess>;
}

export function syncSandbox(prefix: string): SyncSandbox {
  let h: Harness | null = null;
  let root = "";
  let n = 0;
  beforeAll(async () => {
    h = await startHarness();
    root = mkdtempSync(join(h.dir, `${prefix}-`));
  });
  afterAll(async () => {
    await h?.server.stop();
  });
  const harness = (): Harness => {
    if (!h) throw new Error("the harness starts in beforeAll");
    return h;
  };
  return {
    harness,
    fresh: () => {
      const d = join(root, `c${++n}`);
      mkdirSync(d);
      return d;
    },
    sync: (...args) => runInProcess(["sync", ...args, "--today", "2026-11-26"], harness().env),
  };
}
