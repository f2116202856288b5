// The kill harness: a sync of 2,000 deals (1,000 with a workbook), edited on both sides (50 new rows without a Deal ID among them),
// killed with SIGKILL at every write step it takes (each file rename, before and after; each Google API call,
// before and after) and at moments spread over its run, then run again. Each time both sides, the state and
// the folder must end exactly as after a sync nobody interrupted: no deal doubled, none lost.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { basename, join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import type { FakeSheet } from "./fakes/sheets-api/model.js";
import { bookGrids, bundleCli, namesIn, runBundled, stateOf } from "./helpers/kill.js";

const TODAY = "2026-11-26";
const N = 2000;
const HEADER = "Deal ID,Deal,Stage,Value,Stage entered,Owner";
const STAGES = ["Prospecting", "Meeting", "Proposal", "Negotiation"];
const id = (i: number): string => `D-${String(i).padStart(6, "0")}`;
const line = (i: number): string => `${id(i)},Deal ${i},${STAGES[i % 4] as string},${100 + i},2026-10-${String(1 + (i % 28)).padStart(2, "0")},Owner ${i % 7}`;
const base = (n: number): string => `${[HEADER, ...Array.from({ length: n }, (_, i) => line(i + 1))].join("\r\n")}\r\n`;
const BASE = base(N);
// exceljs takes most of the time of a workbook run: half as many deals keep the harness within its budget.
const BOOK_BASE = base(N / 2);

/** The first side's edits since the base: 20 values, a stage change, 3 deletions (when asked), 10 new deals. */
function editA(text: string, deletes: boolean): string {
  const lines = text.split("\r\n");
  for (let i = 5; i < 25; i++) lines[i] = (lines[i] as string).replace(/,(\d+),2026/, (_m, v: string) => `,${Number(v) + 7},2026`);
  lines[3] = (lines[3] as string).replace(",Negotiation,", ",Won,").replace(",Prospecting,", ",Meeting,");
  if (deletes) lines.splice(100, 3);
  lines.splice(lines.length - 1, 0, ...Array.from({ length: 10 }, (_, k) => `,New from A ${k},Prospecting,${50 + k},,Ana`));
  return lines.join("\r\n");
}

let h: Harness;
let bundle: string;
const tally = { points: 0, killed: 0, converged: 0 };

beforeAll(async () => {
  [h, bundle] = await Promise.all([startHarness(), bundleCli()]);
});
afterAll(async () => {
  await h.server.stop();
  rmSync(bundle, { force: true });
  if (process.env.PIPESHEET_KILL_REPORT) writeFileSync(process.env.PIPESHEET_KILL_REPORT, JSON.stringify(tally));
});

interface Pair {
  /** The two places, and the folder both files live in. */
  a: string;
  b: string;
  dir: string;
  /** Puts both sides back as they were before the run under test. */
  restore: () => void;
  /** Everything the run leaves behind, for comparing. */
  outcome: () => Promise<unknown>;
  args: string[];
}

const syncArgs = (a: string, b: string): string[] => ["sync", a, b, "--delete", "--today", TODAY, "--key", h.keyFile];

/**
 * Runs the harness on one pair: the uninterrupted result first (in a child, timed), then a kill at each write
 * step and at moments over the run, each followed by a rerun that must give that result.
 */
async function harness(pair: Pair, steps: string[]): Promise<{ points: number; killed: number; trace: string[] }> {
  pair.restore();
  const traceFile = join(pair.dir, "..", `${basename(pair.dir)}.steps`);
  const clean = await runBundled(bundle, pair.args, { ...h.env, PIPESHEET_TEST_STEPS: traceFile });
  expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: "" });
  const trace = readFileSync(traceFile, "utf8").trim().split("\n");
  const want = await pair.outcome();
  let points = 0;
  let killed = 0;
  const check = async (label: string, kill: { killAt?: string; killAfterMs?: number }, mustDie: boolean): Promise<void> => {
    pair.restore();
    const cut = await runBundled(bundle, pair.args, h.env, kill);
    points++;
    const died = cut.signal === "SIGKILL";
    if (died) killed++;
    else expect({ label, code: cut.code, stderr: cut.stderr }).toEqual({ label, code: 0, stderr: "" });
    if (mustDie) expect({ label, died }).toEqual({ label, died: true });
    const again = await runInProcess(pair.args, h.env);
    expect({ label, code: again.code, stderr: again.stderr }).toEqual({ label, code: 0, stderr: "" });
    expect({ label, outcome: await pair.outcome() }).toEqual({ label, outcome: want });
  };
  for (const step of steps) {
    const count = trace.filter((t) => t.startsWith(`${step} `)).length;
    for (let n = 1; n <= count; n++) await check(`${step}:${n}`, { killAt: `${step}:${n}` }, true);
  }
  // And by time, over the part of the run that writes (the reading and merging come first).
  for (const f of [0.7, 0.9]) await check(`${f} of ${clean.ms} ms`, { killAfterMs: Math.round(clean.ms * f) }, false);
  tally.points += points;
  tally.killed += killed;
  tally.converged += points;
  return { points, killed, trace };
}

/** The files a run renamed into place, in order, by name. */
const renamed = (trace: string[]): string[] => trace.filter((t) => t.startsWith("before-rename ")).map((t) => basename(t.slice("before-rename ".length)).replace(/\.[0-9a-f]{12}\.journal/, ".journal"));

function files(dir: string, names: string[], init: () => Promise<void>): Promise<() => void> {
  return init().then(() => {
    const saved = new Map(names.map((n) => [n, readFileSync(join(dir, n))]));
    return () => {
      for (const n of namesIn(dir)) if (!saved.has(n)) rmSync(join(dir, n), { force: true });
      for (const [n, bytes] of saved) writeFileSync(join(dir, n), bytes);
    };
  });
}

describe("sync killed at any instant, then run again, ends as if never killed", () => {
  it("CSV <-> CSV", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(h.dir, "kill-csv-"));
    const a = join(dir, "deals.csv");
    const b = join(dir, "team.csv");
    const restore = await files(dir, ["deals.csv", "team.csv", ".deals.csv.pipesheet-sync.json"], async () => {
      writeFileSync(a, BASE);
      writeFileSync(b, BASE);
      expect((await runInProcess(syncArgs(a, b), h.env)).code).toBe(0);
      writeFileSync(a, editA(BASE, true));
      const lines = BASE.split("\r\n");
      for (let i = 30; i < 50; i++) lines[i] = (lines[i] as string).replace(/Owner \d$/, "Owner B");
      lines.splice(lines.length - 1, 0, ...Array.from({ length: 50 }, (_, k) => `,New from B ${k},Meeting,${900 + k},,Bo`));
      writeFileSync(b, lines.join("\r\n"));
    });
    const outcome = async (): Promise<unknown> => ({ a: readFileSync(a, "utf8"), b: readFileSync(b, "utf8"), state: stateOf(join(dir, ".deals.csv.pipesheet-sync.json")), names: namesIn(dir) });
    const r = await harness({ a, b, dir, restore, outcome, args: syncArgs(a, b) }, ["before-rename", "after-rename"]);
    // The protocol: the journal first, then the two files, then the state that commits the run.
    expect(renamed(r.trace)).toEqual([".deals.csv.pipesheet-sync.journal.json", "deals.csv", "team.csv", ".deals.csv.pipesheet-sync.json"]);
    expect(r.killed).toBeGreaterThanOrEqual(8);
    // The 50 new deals of the second file are on both sides once.
    const final = readFileSync(a, "utf8");
    expect(final.match(/New from B \d+/g)?.length).toBe(50);
    expect(final.match(/New from A \d+/g)?.length).toBe(10);
  });

  it("CSV <-> .xlsx", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(h.dir, "kill-xlsx-"));
    const a = join(dir, "deals.csv");
    const book = join(dir, "book.xlsx");
    const restore = await files(dir, ["deals.csv", "book.xlsx", ".book.xlsx.pipesheet-sync.json"], async () => {
      writeFileSync(a, BOOK_BASE);
      expect((await runInProcess(syncArgs(a, `${book}#Deals`), h.env)).code).toBe(0);
      writeFileSync(a, editA(BOOK_BASE, false));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(book);
      const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
      for (let r = 32; r < 52; r++) ws.getCell(r, 6).value = "Owner B";
      ws.getCell(41, 3).value = "Proposal";
      // Deleted in the workbook (by the team), so --delete removes them from the CSV.
      ws.spliceRows(200, 2);
      const last = ws.rowCount;
      for (let k = 0; k < 50; k++) {
        ws.getCell(last + 1 + k, 2).value = `New from B ${k}`;
        ws.getCell(last + 1 + k, 3).value = "Meeting";
        ws.getCell(last + 1 + k, 4).value = 900 + k;
      }
      await wb.xlsx.writeFile(book);
    });
    const outcome = async (): Promise<unknown> => ({ a: readFileSync(a, "utf8"), book: await bookGrids(book), state: stateOf(join(dir, ".book.xlsx.pipesheet-sync.json")), names: namesIn(dir) });
    const r = await harness({ a, b: `${book}#Deals`, dir, restore, outcome, args: syncArgs(a, `${book}#Deals`) }, ["before-rename", "after-rename"]);
    expect(renamed(r.trace)).toEqual([".book.xlsx.pipesheet-sync.journal.json", "deals.csv", "book.xlsx", ".book.xlsx.pipesheet-sync.json"]);
    expect(r.killed).toBeGreaterThanOrEqual(8);
    const final = readFileSync(a, "utf8");
    expect(final.match(/New from B \d+/g)?.length).toBe(50);
  });

  it("CSV <-> Google Sheet (the local Sheets API server)", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(h.dir, "kill-gsheet-"));
    const a = join(dir, "deals.csv");
    let before: FakeSheet[] = [];
    const restoreFiles = await files(dir, ["deals.csv", ".deals.csv.pipesheet-sync.json"], async () => {
      writeFileSync(a, BASE);
      h.server.create("K1").addSheet("Deals", []);
      expect((await runInProcess(syncArgs(a, "gsheet:K1#Deals"), h.env)).code).toBe(0);
      writeFileSync(a, editA(BASE, true));
      const ss = h.server.spreadsheets.get("K1");
      const deals = ss?.sheet("Deals") as FakeSheet;
      for (let r = 31; r < 51; r++) deals.set(r, 5, "Owner B");
      deals.set(40, 2, "Proposal");
      const last = deals.lastRow();
      for (let k = 0; k < 50; k++) {
        deals.set(last + k, 1, `New from B ${k}`);
        deals.set(last + k, 2, "Meeting");
        deals.set(last + k, 3, 900 + k);
      }
      before = (ss?.sheets ?? []).map((s) => s.clone());
    });
    const restore = (): void => {
      restoreFiles();
      const ss = h.server.create("K1");
      ss.sheets = before.map((s) => s.clone());
    };
    const outcome = async (): Promise<unknown> => {
      const ss = h.server.spreadsheets.get("K1");
      const tabs = Object.fromEntries((ss?.sheets ?? []).map((s) => [s.props.title, ss?.grid(s.props.title)]));
      return { a: readFileSync(a, "utf8"), tabs, state: stateOf(join(dir, ".deals.csv.pipesheet-sync.json")), names: namesIn(dir) };
    };
    const r = await harness({ a, b: "gsheet:K1#Deals", dir, restore, outcome, args: syncArgs(a, "gsheet:K1#Deals") }, ["before-rename", "after-rename", "before-request", "after-request"]);
    expect(renamed(r.trace)).toEqual([".deals.csv.pipesheet-sync.journal.json", "deals.csv", ".deals.csv.pipesheet-sync.json"]);
    // IDs for the sheet's new rows, the changed cells, the CSV's new rows, the stage change with its log row,
    // the ID column read again and the deletion: each before and after it is sent.
    expect(r.killed).toBeGreaterThanOrEqual(6 + 2 * 8);
    const final = readFileSync(a, "utf8");
    expect(final.match(/New from B \d+/g)?.length).toBe(50);
  });
});
