// Files keep what they were: the one writer keeps mode, owner and symlinks; the sync state is private; and a
// pair of files is the same pair however it is named (relative, ./, absolute, through a link, moved).
import { chmodSync, chownSync, rmSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../cli/io/atomic.js";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import { bundleCli, namesIn, runBundled } from "./helpers/kill.js";

let h: Harness;
let bundle: string;
let root: string;
const TODAY = "2026-11-26";
const mode = (p: string): number => statSync(p).mode & 0o7777;

beforeAll(async () => {
  [h, bundle] = await Promise.all([startHarness(), bundleCli()]);
  root = mkdtempSync(join(h.dir, "files-"));
});
afterAll(async () => {
  await h.server.stop();
  rmSync(bundle, { force: true });
});

let n = 0;
const fresh = (): string => {
  const d = join(root, `c${++n}`);
  mkdirSync(d);
  return d;
};

describe("writeFileAtomic", () => {
  it.each([0o600, 0o640, 0o644, 0o755, 0o400])("keeps mode %o on a rewrite", async (m) => {
    const p = join(fresh(), "deals.csv");
    writeFileSync(p, "old");
    chmodSync(p, m);
    await writeFileAtomic(p, "new");
    expect(readFileSync(p, "utf8")).toBe("new");
    expect(mode(p)).toBe(m);
  });

  it("gives an explicit mode even to a file that was more open (the state, a token)", async () => {
    const p = join(fresh(), "secret.json");
    writeFileSync(p, "{}");
    chmodSync(p, 0o644);
    await writeFileAtomic(p, "{}", 0o600);
    expect(mode(p)).toBe(0o600);
  });

  it("keeps the owner and group", async () => {
    // As root (CI), another user's file; otherwise one's own, which must still come out with the same owner.
    const root = process.getuid?.() === 0;
    const [uid, gid] = root ? [4321, 4322] : [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
    const p = join(fresh(), "deals.csv");
    writeFileSync(p, "old");
    chownSync(p, uid, gid);
    await writeFileAtomic(p, "new");
    expect([statSync(p).uid, statSync(p).gid]).toEqual([uid, gid]);
  });

  it("writes through a symlink (and a chain of them) to the target; the links stay links", async () => {
    const d = fresh();
    mkdirSync(join(d, "real"));
    const target = join(d, "real", "deals.csv");
    writeFileSync(target, "old");
    chmodSync(target, 0o640);
    symlinkSync(target, join(d, "hop.csv"));
    symlinkSync("hop.csv", join(d, "deals.csv"));
    await writeFileAtomic(join(d, "deals.csv"), "new");
    expect(lstatSync(join(d, "deals.csv")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, "deals.csv"))).toBe("hop.csv");
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(mode(target)).toBe(0o640);
    expect(namesIn(join(d, "real"))).toEqual(["deals.csv"]);
  });

  it("creates the target of a dangling symlink", async () => {
    const d = fresh();
    symlinkSync(join(d, "later.csv"), join(d, "deals.csv"));
    await writeFileAtomic(join(d, "deals.csv"), "x");
    expect(lstatSync(join(d, "deals.csv")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, "later.csv"), "utf8")).toBe("x");
  });

  it("removes a temp file a killed run left, and leaves one a live process is writing", async () => {
    const d = fresh();
    const p = join(d, "deals.csv");
    writeFileSync(p, "old");
    writeFileSync(join(d, ".deals.csv.999999999.tmp"), "torn");
    writeFileSync(join(d, `.deals.csv.${process.ppid}.tmp`), "someone else's");
    await writeFileAtomic(p, "new");
    expect(namesIn(d)).toEqual([`.deals.csv.${process.ppid}.tmp`, "deals.csv"]);
  });
});

const DEALS = "Deal ID,Deal,Stage,Value\r\nD-000001,Acme,Proposal,1200\r\nD-000002,Beta,Meeting,800\r\n";
const sync = (...args: string[]) => runInProcess(["sync", ...args, "--today", TODAY], h.env);

describe("sync keeps the files' attributes", () => {
  it("keeps a 0600 deals file 0600, writes the state 0600, and rewrites a symlinked CSV's target", async () => {
    const d = fresh();
    const a = join(d, "a.csv");
    writeFileSync(a, DEALS);
    chmodSync(a, 0o600);
    mkdirSync(join(d, "shared"));
    const target = join(d, "shared", "team.csv");
    writeFileSync(target, DEALS.replace("1200", "1500"));
    chmodSync(target, 0o664);
    symlinkSync(target, join(d, "b.csv"));
    // First sync: differing cells are conflicts; settle with --prefer.
    expect((await sync(a, join(d, "b.csv"), "--prefer", "second")).code).toBe(0);
    expect(readFileSync(a, "utf8")).toBe(DEALS.replace("1200", "1500"));
    expect(mode(a)).toBe(0o600);
    expect(mode(join(d, ".a.csv.pipesheet-sync.json"))).toBe(0o600);
    writeFileSync(a, DEALS.replace("1200", "1600"));
    expect((await sync(a, join(d, "b.csv"))).code).toBe(0);
    expect(lstatSync(join(d, "b.csv")).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(DEALS.replace("1200", "1600"));
    expect(mode(target)).toBe(0o664);
  });
});

describe("one pair, however it is named", () => {
  it("a.csv, ./a.csv, an absolute path and a link to it share one state", async () => {
    const d = fresh();
    writeFileSync(join(d, "a.csv"), DEALS);
    writeFileSync(join(d, "b.csv"), DEALS);
    symlinkSync(join(d, "a.csv"), join(d, "link.csv"));
    const run = (a: string, b: string) => runBundled(bundle, ["sync", a, b, "--today", TODAY, "--json"], h.env, { cwd: d });
    expect((await run("a.csv", "b.csv")).code).toBe(0);
    const names = [["./a.csv", "b.csv"], [join(d, "a.csv"), "./b.csv"], ["b.csv", "link.csv"]] as const;
    let value = 1200;
    for (const [a, b] of names) {
      // A one-sided edit each time: it must go across, not be met as a conflict against "(none)".
      value += 100;
      writeFileSync(join(d, "a.csv"), DEALS.replace("1200", String(value)));
      const r = await run(a, b);
      expect({ a, b, code: r.code, stderr: r.stderr }).toEqual({ a, b, code: 0, stderr: "" });
      expect((JSON.parse(r.stdout) as { firstSync: boolean }).firstSync).toBe(false);
      expect(readFileSync(join(d, "b.csv"), "utf8")).toBe(DEALS.replace("1200", String(value)));
    }
    // One state file, with one pair in it; the link is still a link.
    expect(namesIn(d)).toEqual([".a.csv.pipesheet-sync.json", "a.csv", "b.csv", "link.csv"]);
    const state = JSON.parse(readFileSync(join(d, ".a.csv.pipesheet-sync.json"), "utf8")) as { pairs: Record<string, unknown> };
    expect(Object.keys(state.pairs)).toEqual([`${join(d, "a.csv")} <-> ${join(d, "b.csv")}`]);
    expect(lstatSync(join(d, "link.csv")).isSymbolicLink()).toBe(true);
  });

  it("finds the state of a moved folder again, and says so", async () => {
    const d = fresh();
    mkdirSync(join(d, "before"));
    writeFileSync(join(d, "before", "a.csv"), DEALS);
    writeFileSync(join(d, "before", "b.csv"), DEALS);
    expect((await sync(join(d, "before", "a.csv"), join(d, "before", "b.csv"))).code).toBe(0);
    renameSync(join(d, "before"), join(d, "after"));
    // Deleted on one side after the move: without the state it would come back.
    writeFileSync(join(d, "after", "a.csv"), DEALS.split("\r\n").filter((l) => !l.startsWith("D-000002")).join("\r\n"));
    const r = await sync(join(d, "after", "a.csv"), join(d, "after", "b.csv"), "--delete");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Note: the sync state in .*after.* was recorded for .*before.*a\.csv and .*before.*b\.csv; these look like the same files moved/);
    expect(readFileSync(join(d, "after", "b.csv"), "utf8")).not.toContain("D-000002");
    const state = JSON.parse(readFileSync(join(d, "after", ".a.csv.pipesheet-sync.json"), "utf8")) as { pairs: Record<string, unknown> };
    expect(Object.keys(state.pairs)).toEqual([`${join(d, "after", "a.csv")} <-> ${join(d, "after", "b.csv")}`]);
    expect(existsSync(join(d, "before"))).toBe(false);
  });
});

describe("no state found", () => {
  it("says plainly when two files that share Deal IDs have no state (renamed, or moved apart)", async () => {
    const d = fresh();
    writeFileSync(join(d, "a.csv"), DEALS);
    writeFileSync(join(d, "b.csv"), DEALS.replace("1200", "1300"));
    const r = await sync(join(d, "a.csv"), join(d, "b.csv"));
    expect(r.code).toBe(10);
    expect(r.stdout).toContain(
      `Note: no sync state for these two places was found in ${join(d, ".a.csv.pipesheet-sync.json")}, though 2 deals with the same Deal ID are on both sides: this run is a first sync`,
    );
  });
});

describe("a state written by pipesheet before 0.2", () => {
  it("keyed by the names as typed, is found, used and re-keyed by real path", async () => {
    const d = fresh();
    const a = join(d, "a.csv");
    const b = join(d, "b.csv");
    writeFileSync(a, DEALS);
    writeFileSync(b, DEALS);
    const rows = [
      ["D-000001", ["D-000001", "Acme", "Proposal", "1200"]],
      ["D-000002", ["D-000002", "Beta", "Meeting", "800"]],
    ];
    const header = ["Deal ID", "Deal", "Stage", "Value"];
    // Keyed by the names as typed in that folder.
    const old = { version: 1, pairs: { "a.csv <-> b.csv": { syncedAt: "2026-11-01T00:00:00.000Z", sides: { "a.csv": { header }, "b.csv": { header } }, columns: ["dealId", "name", "stage", "value"], rows } } };
    writeFileSync(join(d, ".a.csv.pipesheet-sync.json"), JSON.stringify(old));
    // Deleted on one side: with the old state found, it is a deletion, not a row to add back.
    writeFileSync(a, DEALS.replace("D-000002,Beta,Meeting,800\r\n", ""));
    const r = await runBundled(bundle, ["sync", "a.csv", "b.csv", "--delete", "--json", "--today", TODAY], h.env, { cwd: d });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(r.stdout) as { firstSync: boolean }).firstSync).toBe(false);
    expect(readFileSync(b, "utf8")).toBe(DEALS.replace("D-000002,Beta,Meeting,800\r\n", ""));
    const state = JSON.parse(readFileSync(join(d, ".a.csv.pipesheet-sync.json"), "utf8")) as { version: number; pairs: Record<string, { sides: Record<string, unknown> }> };
    expect(state.version).toBe(2);
    expect(Object.keys(state.pairs)).toEqual([`${join(d, "a.csv")} <-> ${join(d, "b.csv")}`]);
  });
});
