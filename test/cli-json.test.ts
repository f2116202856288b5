// --json is a public interface: every command prints exactly one JSON document on stdout, whatever happens
// (success, problems, conflicts, a refused argument, a failure), and --dry-run ends with the real run's code.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir, type CliRun } from "./cli-harness.js";

let dir: string;
let env: Record<string, string>;
const SAMPLE = join(ROOT, "samples", "pipeline.csv");

beforeAll(async () => {
  dir = await tempDir();
  // No Google credentials anywhere: the Google commands must fail, and say so in their one document.
  env = { PIPESHEET_CONFIG_DIR: join(dir, "config"), GOOGLE_APPLICATION_CREDENTIALS: "", XDG_CONFIG_HOME: join(dir, "xdg") };
});

/** The run's stdout as its one JSON document; fails the test if there are more, or none. */
function oneDocument(r: CliRun): Record<string, unknown> {
  const text = r.stdout.trim();
  expect(text, r.stderr).not.toBe("");
  // JSON.parse refuses two documents back to back, so parsing the whole stdout proves there is exactly one.
  return JSON.parse(text) as Record<string, unknown>;
}

const cli = (...args: string[]): Promise<CliRun> => runCli(args, { cwd: dir, env });
const DEALS = "Deal ID,Deal,Stage,Value\nD-000001,Acme,Meeting,1200\nD-000002,Beta,Proposal,800\n";

describe("setup, score, review", () => {
  it.each(["setup", "score", "review"])("%s --json: one document with summary, problems, metrics, output, notes", async (command) => {
    const r = await cli(command, SAMPLE, "--today", "2026-11-26", "--json", "--out", join(dir, `${command}.xlsx`));
    expect(r.code).toBe(0);
    const doc = oneDocument(r);
    expect(Object.keys(doc)).toEqual(["summary", "problems", "metrics", "output", "notes"]);
    expect((doc.summary as { deals: number }).deals).toBe(400);
  });

  it("several files: one document listing each file's", async () => {
    const second = join(dir, "second.csv");
    writeFileSync(second, DEALS);
    const r = await cli("review", SAMPLE, second, "--today", "2026-11-26", "--json");
    expect(r.code).toBe(0);
    const doc = oneDocument(r) as { files: { file: string; summary: { deals: number } }[] };
    expect(doc.files.map((f) => [f.file, f.summary.deals])).toEqual([
      [SAMPLE, 400],
      [second, 2],
    ]);
  });

  it("an error: one document with the error's code, message and exit code", async () => {
    const r = await cli("review", join(dir, "missing.csv"), "--json");
    expect(r.code).toBe(3);
    expect(oneDocument(r)).toEqual({ error: { code: "UNREADABLE_FILE", message: expect.stringContaining("missing.csv"), exitCode: 3 } });
  });

  it("a usage error caught by the argument parser: one document too", async () => {
    const r = await cli("review", SAMPLE, "--json", "--no-such-option");
    expect(r.code).toBe(2);
    expect(oneDocument(r)).toEqual({ error: { code: "BAD_ARGUMENTS", message: expect.stringContaining("--no-such-option"), exitCode: 2 } });
  });

  it("--json with --out - is refused (both would be on stdout), as one document", async () => {
    const r = await cli("review", SAMPLE, "--json", "--out", "-");
    expect(r.code).toBe(2);
    expect((oneDocument(r).error as { code: string }).code).toBe("BAD_ARGUMENTS");
  });
});

describe("pull, push, sync", () => {
  const conflicted = async (name: string): Promise<{ a: string; b: string }> => {
    const a = join(dir, `${name}-a.csv`);
    const b = join(dir, `${name}-b.csv`);
    writeFileSync(a, DEALS);
    writeFileSync(b, DEALS);
    expect((await cli("sync", a, b, "--today", "2026-11-26")).code).toBe(0);
    writeFileSync(a, DEALS.replace("1200", "1300"));
    writeFileSync(b, DEALS.replace("1200", "1400"));
    return { a, b };
  };

  it("sync with a conflict: one document, the report with the error in it, exit 10", async () => {
    const { a, b } = await conflicted("conflict");
    const r = await cli("sync", a, b, "--today", "2026-11-26", "--json");
    expect(r.code).toBe(10);
    const doc = oneDocument(r);
    expect(doc.conflicts).toEqual([expect.objectContaining({ id: "D-000001", column: "Value", a: "1300", b: "1400" })]);
    expect(doc.error).toEqual({ code: "CONFLICTS", message: expect.stringContaining("1 conflict"), exitCode: 10 });
  });

  it("sync --dry-run exits with the code the real run would (10), writes nothing, one document", async () => {
    const { a, b } = await conflicted("dry");
    const before = [readFileSync(a, "utf8"), readFileSync(b, "utf8")];
    const text = await cli("sync", a, b, "--today", "2026-11-26", "--dry-run");
    expect(text.code).toBe(10);
    expect(text.stderr).toMatch(/would wait for a person \(dry run: nothing written\)/);
    const json = await cli("sync", a, b, "--today", "2026-11-26", "--dry-run", "--json");
    expect(json.code).toBe(10);
    expect(oneDocument(json)).toMatchObject({ dryRun: true, error: { code: "CONFLICTS", exitCode: 10 } });
    expect([readFileSync(a, "utf8"), readFileSync(b, "utf8")]).toEqual(before);
    // And the real run agrees.
    expect((await cli("sync", a, b, "--today", "2026-11-26")).code).toBe(10);
  });

  it.each(["pull", "push"])("%s --json: one document, with no conflict exit 0", async (command) => {
    const a = join(dir, `${command}-a.csv`);
    writeFileSync(a, DEALS);
    const r = await cli(command, a, join(dir, `${command}-b.csv`), "--today", "2026-11-26", "--json");
    expect(r.code).toBe(0);
    const doc = oneDocument(r);
    expect(doc.error).toBeUndefined();
    expect(doc.conflicts).toEqual([]);
  });

  it("a refused sync (same place twice): one document with the error", async () => {
    const r = await cli("pull", SAMPLE, SAMPLE, "--json");
    expect(r.code).toBe(2);
    expect(oneDocument(r)).toEqual({ error: expect.objectContaining({ code: "BAD_ARGUMENTS", exitCode: 2 }) });
  });
});

describe("apply, login, logout", () => {
  it("apply without credentials: one document with the sign-in error (exit 6)", async () => {
    const r = await cli("apply", "gsheet:SOME-ID#Deals", "--json");
    expect(r.code).toBe(6);
    expect(oneDocument(r)).toEqual({ error: expect.objectContaining({ code: "AUTH", exitCode: 6 }) });
  });

  it("apply --dry-run on a file: the same refusal as the real run, one document", async () => {
    for (const extra of [[], ["--dry-run"]]) {
      const r = await cli("apply", SAMPLE, "--json", ...extra);
      expect(r.code).toBe(2);
      expect((oneDocument(r).error as { code: string }).code).toBe("BAD_ARGUMENTS");
    }
  });

  it("login with a missing client file: one document with the error (exit 6)", async () => {
    const r = await cli("login", "--client", join(dir, "nope.json"), "--json");
    expect(r.code).toBe(6);
    expect(oneDocument(r)).toEqual({ error: expect.objectContaining({ code: "AUTH", exitCode: 6 }) });
  });

  it("logout when not signed in: one document saying so", async () => {
    const r = await cli("logout", "--json");
    expect(r.code).toBe(0);
    expect(oneDocument(r)).toEqual({ removed: false, revoked: false, tokenFile: join(dir, "config", "token.json") });
  });
});

describe("through npm", () => {
  it("npm run -s pipesheet -- … --json gets no npm banner on stdout", async () => {
    const r = await new Promise<CliRun>((done) => {
      execFile("npm", ["run", "-s", "pipesheet", "--", "review", "samples/pipeline.csv", "--today", "2026-11-26", "--json"], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(r.code).toBe(0);
    expect((oneDocument(r).summary as { deals: number }).deals).toBe(400);
  });
});
