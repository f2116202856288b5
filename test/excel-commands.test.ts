// The ribbon's Score leads: it runs without the pane, then says what happened (result or error) by opening the
// pane in the runtime they share, and always completes the event, so Excel's button never keeps spinning.
import { describe, expect, it } from "vitest";
import { samplePipeline, SAMPLE_TODAY } from "../samples/generate.js";
import { scoreLeads, type RibbonEnv } from "../excel-addin/commands/commands.js";
import { subscribe, type Outcome } from "../excel-addin/commands/outcome.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";

function ribbon(m: WorkbookModel, remembered: string | null, showPane: RibbonEnv["showPane"]): RibbonEnv {
  return { host: hostFor(m), remembered: () => remembered, today: () => SAMPLE_TODAY, showPane };
}

async function press(env: RibbonEnv): Promise<{ outcome: Outcome | null; completed: number }> {
  let outcome: Outcome | null = null;
  let skip = true;
  const stop = subscribe((o) => {
    // The first call hands over the previous press's outcome; only this press's counts.
    if (!skip) outcome = o;
  });
  skip = false;
  let completed = 0;
  await scoreLeads(env, { completed: () => completed++ });
  stop();
  return { outcome, completed };
}

describe("the ribbon's Score leads", () => {
  it("scores the remembered deals sheet, opens the pane with the result and completes the event", async () => {
    const m = newWorkbook();
    m.load("Notes", [["not deals"]]);
    m.load("Deals", samplePipeline(60));
    let opened = 0;
    const r = await press(ribbon(m, "Deals", async () => void opened++));
    expect(r.completed).toBe(1);
    expect(opened).toBe(1);
    expect(r.outcome?.ok).toBe(true);
    if (r.outcome?.ok) expect(r.outcome.result.plan.summary.headline).toMatch(/^Scored 60 deals/);
    expect(m.sheet("Deals")?.values[0]).toContain("Score");
  });

  it("says why it could not run, in plain words, instead of swallowing the error", async () => {
    const m = newWorkbook();
    m.load("Pipeline Review", [["only pipesheet's tab"]]);
    const r = await press(ribbon(m, null, async () => undefined));
    expect(r.completed).toBe(1);
    expect(r.outcome).toEqual({ ok: false, message: expect.stringMatching(/no sheet of deals/) });
  });

  it("completes the event even when the pane cannot be opened", async () => {
    const m = newWorkbook();
    m.load("Deals", samplePipeline().slice(0, 11));
    const env = ribbon(m, "Deals", () => Promise.reject(new Error("no shared runtime")));
    let completed = 0;
    await expect(scoreLeads(env, { completed: () => completed++ })).rejects.toThrow(/no shared runtime/);
    expect(completed).toBe(1);
  });
});
