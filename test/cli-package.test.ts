// The CLI as a user installs it: `npm pack`, then the tarball installed into an empty prefix with production
// dependencies only, then run from another folder, through standard input and standard output.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./cli-harness.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string; dependencies: Record<string, string> };
const SAMPLE = readFileSync(join(ROOT, "samples", "pipeline.csv"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

let dir: string;
let tarball: string;
let files: string[];
let bin: string;
let installed: string;

const run = (args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } => {
  const cwd = join(dir, "elsewhere");
  const r = spawnSync(bin, args, { cwd, input: input ?? Buffer.alloc(0), encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(async () => {
  dir = await tempDir();
  // prepack builds dist/cli/ first, so the tarball always holds the current sources.
  const packed = JSON.parse(execFileSync(npm, ["pack", "--json", "--silent", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(dir, packed[0]?.filename ?? "");
  files = packed[0]?.files.map((f) => f.path) ?? [];
  const prefix = join(dir, "prefix");
  // --prefer-offline: the npm cache serves what it has, the registry the rest; dev dependencies never come.
  execFileSync(npm, ["install", "--global", "--prefix", prefix, "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  bin = join(prefix, "bin", "pipesheet");
  installed = join(prefix, "lib", "node_modules", pkg.name);
  mkdirSync(join(dir, "elsewhere"));
}, 240_000);

describe("npm pack", () => {
  it("ships the built CLI, the docs and the licence; no sources, tests or fixtures", () => {
    expect(files).toContain("dist/cli/pipesheet.js");
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "CHANGELOG.md", "docs/cli.md", "docs/troubleshooting.md"]));
    expect(files.filter((f) => /\.ts$|^test\/|^samples\/|^cli\/|^core\//.test(f))).toEqual([]);
  });

  it("is publishable: not private, an engines range, a licence, bin pointing into the files", () => {
    const shipped = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    expect(shipped.private).toBeUndefined();
    expect(shipped.engines).toEqual({ node: expect.stringMatching(/^>=20/) });
    expect(shipped.license).toBe("MIT");
    expect(shipped.bin).toEqual({ pipesheet: "dist/cli/pipesheet.js" });
  });
});

describe("installed into an empty prefix with production dependencies only", () => {
  it("has no dev dependency (tsx, esbuild, vitest) in its tree", () => {
    for (const dev of ["tsx", "esbuild", "vitest", "typescript"]) expect(existsSync(join(installed, "node_modules", dev)), dev).toBe(false);
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(installed, "node_modules", dep)), dep).toBe(true);
  });

  it("prints its version", () => {
    const r = run(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("reviews the sample from standard input, from another folder, to standard output", () => {
    const r = run(["review", "-", "--today", "2026-11-26"], SAMPLE);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Pipeline Review");
    expect(r.stdout).toMatch(/^Reviewed 400 deals: /m);
  });

  it("writes the deals with pipesheet's columns to standard output as CSV, and the workbook as .xlsx bytes", () => {
    const csv = run(["review", "-", "--today", "2026-11-26", "--out", "-", "--format", "csv"], SAMPLE);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trimEnd().split(/\r?\n/);
    expect(lines[0]).toMatch(/^Deal ID,Deal name,.*,Score,Grade,/);
    expect(lines).toHaveLength(401);
    expect(csv.stderr).toMatch(/^Reviewed 400 deals/);
    const xlsx = spawnSync(bin, ["setup", "-", "--today", "2026-11-26", "--out", "-", "--format", "xlsx"], { cwd: join(dir, "elsewhere"), input: SAMPLE });
    expect(xlsx.status).toBe(0);
    expect(xlsx.stdout.subarray(0, 4)).toEqual(Buffer.from("PK\x03\x04", "latin1"));
    // The workbook read back from stdin: the settings tab it wrote is read, so the deals come out the same.
    const again = run(["review", "-", "--today", "2026-11-26", "--json"], xlsx.stdout);
    expect(again.status).toBe(0);
    expect((JSON.parse(again.stdout) as { summary: { deals: number } }).summary.deals).toBe(400);
  });

  it("reads a large log tab in its worker thread, from the built script beside the chunks", async () => {
    const { writeSyntheticCsv } = await import("../samples/generate.js");
    const csv = join(dir, "elsewhere", "big.csv");
    // 14,000 deals: a log tab of over 4 MB of XML, which is read beside the deals sheet (cli/io/xlsx-pkg/aside.ts).
    await writeSyntheticCsv(csv, 14_000, 11);
    expect(run(["setup", "big.csv", "--today", "2026-11-26", "--out", "big.xlsx"]).status).toBe(0);
    const cwd = join(dir, "elsewhere");
    const r = spawnSync(bin, ["score", "big.xlsx", "--today", "2026-11-27", "--json"], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", NODE_DEBUG: "worker" } });
    expect(r.status).toBe(0);
    // Node's own debug log names the script of each worker it starts (only with a second core to read on).
    if (availableParallelism() > 1) expect(r.stderr).toContain(`create new worker ${join(installed, "dist", "cli", "chunks", "grid-worker.js")}`);
    else expect(r.stderr).not.toContain("create new worker");
    expect((JSON.parse(r.stdout) as { summary: { deals: number } }).summary.deals).toBe(14_000);
  }, 120_000);

  it("installs no exceljs, and loads no googleapis for --help, a CSV review or a CSV sync", () => {
    // exceljs is only for the tests now (the .xlsx path is pipesheet's own patcher): not installed at all.
    expect(existsSync(join(installed, "node_modules", "exceljs"))).toBe(false);
    // Taking googleapis away proves it is never imported on these paths (the start-up cost it would add).
    for (const dep of ["googleapis"]) renameSync(join(installed, "node_modules", dep), join(installed, "node_modules", `${dep}-gone`));
    try {
      const help = run(["--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Usage: pipesheet /);
      const review = run(["review", "-", "--today", "2026-11-26", "--json"], SAMPLE);
      expect(review.status).toBe(0);
      // A sync between two CSV files needs no googleapis.
      writeFileSync(join(dir, "elsewhere", "a.csv"), "Deal ID,Deal,Stage\nD-000001,Acme,Won\n");
      const sync = run(["sync", "a.csv", "b.csv", "--today", "2026-11-26", "--json"]);
      expect(sync.stderr).toBe("");
      expect(sync.status).toBe(0);
      expect(readFileSync(join(dir, "elsewhere", "b.csv"), "utf8")).toContain("D-000001");
      // The workbook path needs neither either: it is pipesheet's own zip-level patcher.
      expect(existsSync(join(installed, "node_modules", "googleapis"))).toBe(false);
      const xlsx = spawnSync(bin, ["review", "-", "--today", "2026-11-26", "--out", "-", "--format", "xlsx"], { cwd: join(dir, "elsewhere"), input: SAMPLE });
      expect(xlsx.status).toBe(0);
      expect(xlsx.stdout.subarray(0, 4)).toEqual(Buffer.from("PK\x03\x04", "latin1"));
    } finally {
      for (const dep of ["googleapis"]) renameSync(join(installed, "node_modules", `${dep}-gone`), join(installed, "node_modules", dep));
    }
  });
});
