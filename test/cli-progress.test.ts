// The progress line: only on a terminal, only for big files, never in --json mode, and gone before the review prints.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticCsv } from "../samples/generate.js";
import { createProgress, PROGRESS_MIN_BYTES } from "../cli/progress.js";
import { BIN, ROOT, tempDir } from "./cli-harness.js";

function fakeStream(isTTY: boolean, columns = 100): { isTTY: boolean; columns: number; out: string[]; write(s: string): boolean } {
  return {
    isTTY,
    columns,
    out: [],
    write(s: string) {
      this.out.push(s);
      return true;
    },
  };
}

describe("createProgress", () => {
  it("draws phases and percentages on one line, throttled, and clears it at the end", () => {
    const s = fakeStream(true);
    let now = 0;
    const p = createProgress(s, true, () => now);
    p.phase("Reading big.csv");
    now = 10;
    p.update(0.1); // within 80 ms of the last draw: skipped
    now = 200;
    p.update(0.5);
    now = 1500;
    p.phase("Working through 1,000,000 rows");
    p.done();
    p.done();
    expect(s.out).toEqual([
      "\r\x1b[Kpipesheet: Reading big.csv…  0.0s",
      "\r\x1b[Kpipesheet: Reading big.csv… [##########----------]  50%  0.2s",
      "\r\x1b[Kpipesheet: Working through 1,000,000 rows…  1.5s",
      "\r\x1b[K",
    ]);
  });

  it("never wraps: the line is cut to the terminal's width", () => {
    const s = fakeStream(true, 40);
    const p = createProgress(s, true, () => 0);
    p.phase("Reading a-file-with-a-very-long-name-indeed.csv");
    p.update(0.5);
    expect(s.out.every((l) => l.replace("\r\x1b[K", "").length === 39)).toBe(true);
  });

  it.each([
    ["not a terminal", false, true],
    ["switched off", true, false],
  ])("writes nothing when %s", (_name, tty, enabled) => {
    const s = fakeStream(tty);
    const p = createProgress(s, enabled);
    p.phase("Reading");
    p.update(0.5);
    p.done();
    expect(s.out).toEqual([]);
  });
});

describe("on a real terminal (util-linux script gives the CLI a pty)", () => {
  let big: string;
  beforeAll(async () => {
    const dir = await tempDir();
    big = join(dir, "big.csv");
    await writeSyntheticCsv(big, 40_000, 3);
  });

  const underPty = (args: string[], env: Record<string, string> = {}, cols?: number): string => {
    const cmd = `${cols ? `stty cols ${cols} rows 40; ` : ""}${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ")}`;
    const base: NodeJS.ProcessEnv = { ...process.env, COLUMNS: "80" };
    delete base.NO_COLOR;
    delete base.FORCE_COLOR;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: ROOT, encoding: "utf8", env: { ...base, ...env } });
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it("shows progress for a big file and clears it before the review", () => {
    const text = underPty(["review", big, "--today", "2026-11-26"]);
    expect(text).toContain("pipesheet: Reading big.csv…");
    expect(text).toContain("pipesheet: Working through 40,001 rows…");
    // Counts read as people read them, in the review and in the headline.
    expect(text).toMatch(/Open pipeline USD [\d,]+ in \d{1,2},\d{3} deals/);
    expect(text).toMatch(/Reviewed 40,000 deals: \d{1,2},\d{3} A/);
    // The line is cleared, then the review starts on a clean line (its title bold on a terminal).
    expect(text).toContain("\r\x1b[K\x1b[1mPipeline Review\x1b[22m");
  });

  it("colours the review on a terminal, and not with NO_COLOR or --no-color", () => {
    const sample = join(ROOT, "samples", "pipeline.csv");
    const coloured = underPty(["review", sample, "--today", "2026-11-26"]);
    expect(coloured).toContain("\x1b[1mPipeline Review\x1b[22m");
    expect(coloured).toContain("  - \x1b[31merror\x1b[39m ");
    for (const plain of [underPty(["review", sample, "--today", "2026-11-26"], { NO_COLOR: "1" }), underPty(["review", sample, "--today", "2026-11-26", "--no-color"])]) {
      expect(plain).toContain("Pipeline Review");
      expect(plain).not.toContain("\x1b[");
    }
  });

  it("sizes the review to the terminal, and to --width", () => {
    const sample = join(ROOT, "samples", "pipeline.csv");
    const widest = (text: string): number => Math.max(...text.split(/\r?\n/).map((l) => l.length));
    const wide = underPty(["review", sample, "--today", "2026-11-26", "--no-color"], {}, 120);
    expect(widest(wide)).toBeGreaterThan(80);
    expect(widest(wide)).toBeLessThanOrEqual(120);
    const narrow = underPty(["review", sample, "--today", "2026-11-26", "--no-color", "--width", "60"], {}, 120);
    expect(widest(narrow)).toBeLessThanOrEqual(60);
  });

  it("--json output stays pure JSON on a terminal", () => {
    const text = underPty(["review", big, "--today", "2026-11-26", "--json"]);
    expect(text).not.toContain("pipesheet: Reading");
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it("the big-file threshold is above the bundled sample and below the bench files", () => {
    expect(PROGRESS_MIN_BYTES).toBeGreaterThan(100_000);
    expect(PROGRESS_MIN_BYTES).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
