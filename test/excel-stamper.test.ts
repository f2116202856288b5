// Live stage stamping while the pane is open: a person's stage edit stamps and logs; nothing else does.
import { describe, expect, it } from "vitest";
import { samplePipeline } from "../samples/generate.js";
import { discover, runCommand, stamperState } from "../excel-addin/adapter/command.js";
import { CELL_EDIT_RETRY_MS, StageStamper } from "../excel-addin/adapter/stamper.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";
import type { ModelOptions } from "./fakes/excel/model.js";

const TODAY = "2026-11-27";
const SERIAL = Date.UTC(2026, 10, 27) / 86_400_000 + 25_569;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

async function ready(options?: ModelOptions): Promise<{ m: WorkbookModel; stamper: StageStamper; stages: number[] }> {
  const m = newWorkbook(options);
  m.load("Deals", samplePipeline().slice(0, 41));
  const host = hostFor(m);
  const d = await discover(host);
  const r = await runCommand(host, { command: "setup", sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: "2026-11-26" });
  const stamps: number[] = [];
  let busy = false;
  const stamper = new StageStamper(host, stamperState(r), { today: () => TODAY, isBusy: () => busy, onStamp: (x) => stamps.push(x.stamped) });
  await stamper.start();
  busy = false;
  return { m, stamper, stages: stamps };
}

const col = (m: WorkbookModel, header: string): number => (m.sheet("Deals")?.values[0] ?? []).indexOf(header);

describe("stage stamping", () => {
  it("stamps Stage entered and logs the move in two round trips when a person changes a stage", async () => {
    const { m, stamper, stages } = await ready();
    const stage = col(m, "Stage");
    const entered = col(m, "Stage entered");
    const id = m.sheet("Deals")?.value(3, col(m, "Deal ID"));
    const before = String(m.sheet("Deals")?.value(3, stage));
    const logEnd = m.sheet("Pipeline Log")?.usedRect(true)?.r1 ?? -1;
    m.resetStats();
    m.userEdit("Deals", 3, stage, before === "Negotiation" ? "Proposal" : "Negotiation");
    await settle();
    await stamper.idle();
    expect(m.stats.syncs).toBe(2);
    expect(stages).toEqual([1]);
    expect(m.sheet("Deals")?.value(3, entered)).toBe(SERIAL);
    expect(m.sheet("Deals")?.numberFormat(3, entered)).toBe("yyyy-mm-dd");
    const logged = m.sheet("Pipeline Log")?.values[logEnd + 1];
    expect(logged?.[0]).toBe(id);
    expect(logged?.[2]).toBe(before === "Negotiation" ? "Proposal" : "Negotiation");
    expect(logged?.[3]).toBe(TODAY);
    expect(logged?.[4]).toBe("edit");
    // Its own write to Stage entered raised an event too; it was ignored.
    await settle();
    await stamper.idle();
    expect(stages).toEqual([1]);
  });

  it("ignores edits outside the stage column without a round trip", async () => {
    const { m, stamper, stages } = await ready();
    m.resetStats();
    m.userEdit("Deals", 4, col(m, "Owner"), "Someone else");
    m.userEdit("Deals", 0, col(m, "Stage"), "Stage");
    await settle();
    await stamper.idle();
    expect(m.stats.syncs).toBe(0);
    expect(stages).toEqual([]);
  });

  const ignored: [string, { source: string; triggerSource?: string }, ModelOptions][] = [
    ["a co-author's edit", { source: "Remote" }, {}],
    ["pipesheet's own write (ExcelApi 1.14)", { source: "Local", triggerSource: "ThisLocalAddin" }, { apiSets: { ExcelApi: "1.14" } }],
  ];
  for (const [name, event, options] of ignored) {
    it(`ignores ${name}`, async () => {
      const { m, stamper } = await ready(options);
      m.resetStats();
      const address = `D5`;
      expect(col(m, "Stage")).toBe(3);
      await stamper.onChanged({ address, changeType: "RangeEdited", ...event });
      expect(m.stats.syncs).toBe(0);
    });
  }

  it("stops listening when stopped", async () => {
    const { m, stamper, stages } = await ready();
    await stamper.stop();
    m.resetStats();
    m.userEdit("Deals", 5, col(m, "Stage"), "Meeting");
    await settle();
    expect(m.stats.syncs).toBe(0);
    expect(stages).toEqual([]);
  });
});

// A person may be typing in another cell by the time the stamp's round trip runs: Excel then refuses every call.
describe("stage stamping while Excel is in cell-editing mode", () => {
  const NEXT_DAY = "2026-11-28";

  async function editing(): Promise<{ m: WorkbookModel; stamper: StageStamper; waits: number[]; errors: unknown[]; day: { now: string }; onWait: { fn: (n: number) => void } }> {
    const m = newWorkbook();
    m.load("Deals", samplePipeline().slice(0, 41));
    const host = hostFor(m);
    const d = await discover(host);
    const r = await runCommand(host, { command: "setup", sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: "2026-11-26" });
    const waits: number[] = [];
    const errors: unknown[] = [];
    const day = { now: TODAY };
    const onWait = { fn: (_n: number): void => undefined };
    const stamper = new StageStamper(host, stamperState(r), {
      today: () => day.now,
      isBusy: () => false,
      onError: (e) => errors.push(e),
      wait: async (ms) => {
        waits.push(ms);
        onWait.fn(waits.length);
      },
    });
    await stamper.start();
    return { m, stamper, waits, errors, day, onWait };
  }

  it("the fake refuses a whole batch in cell-editing mode, as Excel does", async () => {
    const m = newWorkbook();
    m.load("Deals", [["a"]]);
    m.cellEditMode = true;
    await expect(
      hostFor(m).run(async (ctx) => {
        ctx.workbook.worksheets.getItem("Deals").getRange("A1").values = [["b"]];
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: "InvalidOperationInCellEditMode" });
    expect(m.sheet("Deals")?.value(0, 0)).toBe("a");
  });

  it("waits until the edit ends and stamps the day of the change, not the day it got through", async () => {
    const { m, stamper, waits, errors, day, onWait } = await editing();
    const stage = col(m, "Stage");
    const entered = col(m, "Stage entered");
    const before = String(m.sheet("Deals")?.value(6, stage));
    const logEnd = m.sheet("Pipeline Log")?.usedRect(true)?.r1 ?? -1;
    m.userEdit("Deals", 6, stage, before === "Negotiation" ? "Proposal" : "Negotiation");
    // The person goes on typing in the next cell, past midnight; they press Enter on the second wait.
    m.cellEditMode = true;
    onWait.fn = (n) => {
      day.now = NEXT_DAY;
      if (n === 2) m.cellEditMode = false;
    };
    await settle();
    await stamper.idle();
    expect(errors).toEqual([]);
    expect(waits).toEqual(CELL_EDIT_RETRY_MS.slice(0, 2));
    expect(m.sheet("Deals")?.value(6, entered)).toBe(SERIAL);
    const logged = m.sheet("Pipeline Log")?.values[logEnd + 1];
    expect(logged?.[3]).toBe(TODAY);
  });

  it("gives up after a bounded number of tries, says so, writes nothing, and stamps the next edit", async () => {
    const { m, stamper, waits, errors } = await editing();
    const stage = col(m, "Stage");
    const entered = col(m, "Stage entered");
    const was = m.sheet("Deals")?.value(8, entered);
    m.userEdit("Deals", 8, stage, "Meeting");
    m.cellEditMode = true;
    await settle();
    await stamper.idle();
    expect(waits).toEqual([...CELL_EDIT_RETRY_MS]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "InvalidOperationInCellEditMode", message: expect.stringMatching(/cell-editing mode/) });
    expect(m.sheet("Deals")?.value(8, entered)).toBe(was);

    m.cellEditMode = false;
    m.userEdit("Deals", 9, stage, "Meeting");
    await settle();
    await stamper.idle();
    expect(m.sheet("Deals")?.value(9, entered)).toBe(SERIAL);
  });
});
