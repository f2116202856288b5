// onEdit through the built bundle: stage edits stamp and log within a few calls; anything else costs one cheap check.
import { beforeEach, describe, expect, test } from "vitest";
import { TAB_LOG } from "../core/index.js";
import { editEvent, loadScript, type Script } from "./fakes/apps-script/bundle.js";
import { dealsBook } from "./fakes/apps-script/deals.js";
import type { FakeSheet } from "./fakes/apps-script/spreadsheet.js";
import { serialFromYmd } from "./fakes/apps-script/time.js";

const TODAY = serialFromYmd(2026, 11, 26);
const colOf = (sheet: FakeSheet, header: string): number => {
  for (let c = 0; c < sheet.maxCols; c++) if (sheet.raw(0, c) === header) return c;
  throw new Error(`no column ${header}`);
};

/** The user types into cells (no lock, no counting), then Apps Script fires onEdit for the range. */
function userEdits(script: Script, sheet: FakeSheet, a1: string, values: unknown[][], oldValue?: unknown): void {
  const range = script.env.quietly(() => sheet.getRange(a1));
  values.forEach((row, i) => row.forEach((v, j) => sheet.store(range.r + i, range.c + j, v as string)));
  const single = values.length === 1 && values[0]?.length === 1;
  script.env.resetCounts();
  script.call("onEdit", "simple-trigger", editEvent(script, sheet.name, a1, single ? values[0]?.[0] : undefined, single ? oldValue : undefined));
}

const snapshotAll = (script: Script): string => JSON.stringify(script.env.book.sheets.map((s) => s.snapshot()));

describe("onEdit before set-up", () => {
  test("does nothing, in at most two calls", async () => {
    const script = await loadScript();
    const deals = dealsBook(script.env, 10);
    const before = snapshotAll(script);
    const was = deals.raw(4, 2);
    userEdits(script, deals, "C5", [["Won"]], was);
    expect(script.env.calls).toBeLessThanOrEqual(2);
    deals.store(4, 2, was);
    expect(snapshotAll(script)).toBe(before);
  });
});

describe("onEdit after set-up", () => {
  let script: Script;
  let deals: FakeSheet;
  beforeEach(async () => {
    script = await loadScript();
    deals = dealsBook(script.env, 30);
    script.call("pipelineSetup", "menu");
  });

  test.each([
    ["a deal name", "A5", [["Renamed deal"]]],
    ["a value", "D7", [[1234]]],
    ["a pasted block beside the Stage column", "D3:F6", [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 2, 3]]],
    ["pipesheet's own Score column", "P4", [[99]]],
  ])("an edit to %s costs at most two calls and changes nothing else", (_what, a1, values) => {
    userEdits(script, deals, a1, values);
    const after = snapshotAll(script);
    expect(script.env.calls).toBeLessThanOrEqual(2);
    script.call("onEdit", "simple-trigger", editEvent(script, "Deals", a1));
    expect(snapshotAll(script)).toBe(after);
  });

  test("an edit in the Stage column's letter on another sheet writes nothing", () => {
    const other = script.env.book.sheet("Targets") as FakeSheet;
    const before = snapshotAll(script);
    userEdits(script, other, "C2", [["Won"]]);
    other.store(1, 2, "");
    expect(snapshotAll(script)).toBe(before);
    expect(script.env.calls).toBeLessThanOrEqual(4);
  });

  test("a stage change stamps Stage entered with today and logs the move, in a few calls", () => {
    const entered = colOf(deals, "Stage entered");
    const id = deals.raw(4, colOf(deals, "Deal ID"));
    const log = script.env.book.sheet(TAB_LOG) as FakeSheet;
    const logRows = log.lastRowQuiet();
    const t0 = script.env.clock;
    expect(deals.raw(4, 2)).toBe("Proposal");
    userEdits(script, deals, "C5", [["Negotiation"]], "Proposal");
    expect(deals.raw(4, entered)).toBe(TODAY);
    expect(deals.formatAt(4, entered)).toBe("yyyy-mm-dd");
    expect(log.lastRowQuiet()).toBe(logRows + 1);
    expect([0, 1, 2, 3, 4].map((c) => log.raw(logRows, c))).toEqual([id, "Proposal", "Negotiation", "2026-11-26", "edit"]);
    expect(script.env.calls).toBeLessThan(40);
    expect(script.env.clock - t0).toBeLessThan(30_000);
    // Only that row's stamp changed on the deals sheet.
    for (let r = 1; r <= 30; r++) if (r !== 4) expect(deals.raw(r, entered)).not.toBe(TODAY);
  });

  test("a pasted block of stages stamps every row in one write", () => {
    const entered = colOf(deals, "Stage entered");
    userEdits(script, deals, "C10:C12", [["Won"], ["Lost"], ["Proposal"]]);
    expect([9, 10, 11].map((r) => deals.raw(r, entered))).toEqual([TODAY, TODAY, TODAY]);
    expect(script.env.byName.get("Range.setValues")).toBe(2); // the stamps, then the log rows
    const log = script.env.book.sheet(TAB_LOG) as FakeSheet;
    expect(log.raw(log.lastRowQuiet() - 1, 2)).toBe("Proposal");
  });

  test("an edit of the header row stamps nothing", () => {
    const before = snapshotAll(script);
    userEdits(script, deals, "C1", [["Stage"]]);
    expect(snapshotAll(script)).toBe(before);
  });

  test("when the Stage column moved, the old letter no longer stamps and the new one does", () => {
    // The team swapped two columns: Stage is now in B.
    for (let r = 0; r <= 30; r++) {
      const b = deals.raw(r, 1);
      deals.store(r, 1, deals.raw(r, 2) as string);
      deals.store(r, 2, b as string);
    }
    const entered = colOf(deals, "Stage entered");
    userEdits(script, deals, "C6", [["Company X"]]);
    expect(deals.raw(5, entered)).not.toBe(TODAY);
    expect(JSON.parse(script.env.properties.get("pipesheet.stage") ?? "{}").stageCol).toBe(1);
    userEdits(script, deals, "B6", [["Won"]], "Meeting");
    expect(deals.raw(5, entered)).toBe(TODAY);
  });

  test("without the event's plain bounds (older runtimes) the range's methods are used", () => {
    const entered = colOf(deals, "Stage entered");
    deals.store(7, 2, "Won");
    const e = editEvent(script, "Deals", "C8", "Won", "Proposal");
    for (const k of ["columnStart", "columnEnd", "rowStart", "rowEnd"]) delete (e.range as Record<string, unknown>)[k];
    script.call("onEdit", "simple-trigger", e);
    expect(deals.raw(7, entered)).toBe(TODAY);
  });

  test("while a command holds the lock, an edit gives up inside the 30-second limit and writes nothing", () => {
    const entered = colOf(deals, "Stage entered");
    let ran = false;
    script.env.onWrite = () => {
      if (ran) return;
      ran = true;
      deals.store(3, 2, "Won");
      script.call("onEdit", "simple-trigger", editEvent(script, "Deals", "C4", "Won", "Proposal"));
      expect(deals.raw(3, entered)).not.toBe(TODAY);
    };
    script.call("pipelineScore", "menu");
    expect(ran).toBe(true);
  });
});
