// setup's CSV -> .xlsx checks the heap it will need against Node's limit before it starts: a run past the limit ends
// the process ("JavaScript heap out of memory", no way to catch it), so pipesheet says what to do instead.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkXlsxHeap, XLSX_HEAP_PER_CSV_BYTE } from "../cli/source.js";
import { CliError } from "../cli/errors.js";
import { writeSyntheticCsv } from "../samples/generate.js";

const ROOT = resolve(import.meta.dirname, "..");
const GB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), "pipesheet-heap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("setup's heap check for a CSV -> .xlsx", () => {
  it("refuses a million rows under Node's default heap, naming the heap to run with; 100k rows go ahead", () => {
    let err: unknown;
    try {
      // 1,048,575 deals of the synthetic pipeline: a 178 MB CSV; Node 20's default heap on a large machine: ~4 GB.
      checkXlsxHeap(1_048_575, 178e6, "big.xlsx", 4.05 * GB);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).cause).toEqual({ code: "UNWRITABLE_FILE", exitCode: 5 });
    expect((err as CliError).message).toBe(
      "cannot write big.xlsx: 1,048,575 rows need about 5.0 GB of memory to write as .xlsx, more than Node's heap limit of 4.0 GB here; run with a larger heap (NODE_OPTIONS=--max-old-space-size=12288 pipesheet ...), or write --out with a .csv instead",
    );
    expect(() => checkXlsxHeap(1_048_575, 178e6, "big.xlsx", 12 * GB)).not.toThrow();
    expect(() => checkXlsxHeap(100_000, 18e6, "team.xlsx", 4.05 * GB)).not.toThrow();
  });

  it("the CLI run with a small heap stops with the message and exit 5, and writes no file", async () => {
    const csv = join(dir, "deals.csv");
    await writeSyntheticCsv(csv, 80_000, 3);
    const heapMb = 256;
    // The file needs more than the heap this run is given.
    expect(statSync(csv).size * XLSX_HEAP_PER_CSV_BYTE).toBeGreaterThan(heapMb * 2 ** 20 * 1.2);
    const out = join(dir, "deals.xlsx");
    const r = await new Promise<{ code: number | null; stderr: string }>((done) =>
      execFile(process.execPath, [`--max-old-space-size=${heapMb}`, "--import", "tsx", join(ROOT, "cli/cli.ts"), "setup", csv, "--today", "2026-11-26", "--out", out], { cwd: ROOT }, (e, _o, stderr) =>
        done({ code: e ? ((e as { code?: number }).code ?? null) : 0, stderr }),
      ),
    );
    expect(r.stderr).toMatch(/80,001 rows need about [\d.]+ GB of memory to write as \.xlsx, more than Node's heap limit of [\d.]+ GB here; run with a larger heap \(NODE_OPTIONS=--max-old-space-size=4096 pipesheet \.\.\.\)/);
    expect(r.code).toBe(5);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
