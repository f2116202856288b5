// The strict Excel model itself: it must throw where Excel throws, or the adapter tests prove nothing.
import { describe, expect, it } from "vitest";
import { createHost } from "./fakes/excel/host.js";
import { WorkbookModel } from "./fakes/excel/model.js";
import type { Context } from "./fakes/excel/api.js";

function setup(): { model: WorkbookModel; run: <T>(f: (ctx: Context) => Promise<T>) => Promise<T> } {
  const model = new WorkbookModel();
  model.load("Deals", [
    ["Deal", "Stage"],
    ["Acme", "Proposal"],
  ]);
  const host = createHost(model);
  return { model, run: (f) => host.Excel.run(f) };
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return String((e as { code?: string }).code);
  }
  return "no error";
};

describe("strict Excel model", () => {
  it("throws PropertyNotLoaded for a property read before load and sync", async () => {
    const { run } = setup();
    const cases: [string, (ctx: Context) => Promise<unknown>][] = [
      ["never loaded", async (ctx) => ctx.workbook.worksheets.getItem("Deals").getRange("A1:B2").values],
      [
        "loaded, not synced",
        async (ctx) => {
          const r = ctx.workbook.worksheets.getItem("Deals").getRange("A1:B2").load("values");
          return r.values;
        },
      ],
      [
        "other property loaded",
        async (ctx) => {
          const r = ctx.workbook.worksheets.getItem("Deals").getRange("A1:B2").load("address");
          await ctx.sync();
          return r.values;
        },
      ],
    ];
    for (const [name, f] of cases) expect(await codeOf(run(f)), name).toBe("PropertyNotLoaded");
    const ok = await run(async (ctx) => {
      const r = ctx.workbook.worksheets.getItem("Deals").getRange("A1:B2").load("values");
      await ctx.sync();
      return r.values;
    });
    expect(ok).toEqual([
      ["Deal", "Stage"],
      ["Acme", "Proposal"],
    ]);
  });

  it("throws InvalidArgument when the values do not match the range's shape", async () => {
    const { run, model } = setup();
    const shapes: unknown[] = [[["x"]], [["x", "y"]], [["x", "y"], ["z"]], "x", [["x", "y"], ["z", "w"], ["u", "v"]]];
    for (const v of shapes) {
      const code = await codeOf(
        run(async (ctx) => {
          ctx.workbook.worksheets.getItem("Deals").getRange("A1:B2").values = v as unknown[][];
          await ctx.sync();
        }),
      );
      expect(code, JSON.stringify(v)).toBe("InvalidArgument");
    }
    expect(model.sheet("Deals")?.value(0, 0)).toBe("Deal");
  });

  it("refuses a request over 5 MB before running any of it, and counts every sync", async () => {
    const { run, model } = setup();
    model.resetStats();
    const big = Array.from({ length: 120_000 }, (_, i) => [`a long enough cell value number ${i} ·········`, i, true]);
    const code = await codeOf(
      run(async (ctx) => {
        ctx.workbook.worksheets.getItem("Deals").getRangeByIndexes(10, 0, big.length, 3).values = big;
        await ctx.sync();
      }),
    );
    expect(code).toBe("RequestPayloadSizeLimitExceeded");
    expect(model.sheet("Deals")?.value(10, 0)).toBe("");
    expect(model.stats.syncs).toBe(1);
    expect(model.stats.requestBytes[0]).toBeGreaterThan(5 * 1024 * 1024);
  });

  it("refuses a response over 5 MB", async () => {
    const { run, model } = setup();
    const sheet = model.sheet("Deals");
    for (let r = 0; r < 100_000; r++) sheet?.write(r + 5, 0, `row ${r} with a value long enough to add up to megabytes of JSON`);
    const code = await codeOf(
      run(async (ctx) => {
        ctx.workbook.worksheets.getItem("Deals").getUsedRange(true).load("values");
        await ctx.sync();
      }),
    );
    expect(code).toBe("ResponsePayloadSizeLimitExceeded");
  });

  it("sends what a batch left queued in one more round trip, as Excel.run does", async () => {
    const { run, model } = setup();
    model.resetStats();
    await run(async (ctx) => {
      ctx.workbook.worksheets.getItem("Deals").getRange("C1").values = [["Owner"]];
    });
    expect(model.stats.syncs).toBe(1);
    expect(model.sheet("Deals")?.value(0, 2)).toBe("Owner");
  });

  it("reads strings like typed input: formulas, numbers, dates; an apostrophe keeps text", async () => {
    const { run, model } = setup();
    const input = ["=1+1", "- call back", "00123", "2026-11-26", "TRUE", "'=1+1", "'00123", "plain"];
    await run(async (ctx) => {
      ctx.workbook.worksheets.getItem("Deals").getRangeByIndexes(5, 0, 1, input.length).values = [input];
      await ctx.sync();
    });
    const s = model.sheet("Deals");
    const got = input.map((_, c) => [s?.value(5, c), s?.formula(5, c) ?? null]);
    expect(got).toEqual([
      ["#NAME?", "=1+1"],
      ["#NAME?", "=- call back"],
      [123, null],
      [46352, null],
      [true, null],
      ["=1+1", null],
      ["00123", null],
      ["plain", null],
    ]);
  });

  it("uses a proxy only inside its Excel.run", async () => {
    const { run } = setup();
    let leaked: { values: unknown[][] } | null = null;
    await run(async (ctx) => {
      leaked = ctx.workbook.worksheets.getItem("Deals").getRange("A1");
      await ctx.sync();
    });
    expect(() => {
      (leaked as unknown as { values: unknown[][] }).values = [["x"]];
    }).toThrow(/outside its Excel.run/);
  });

  it("reports isNullObject after sync for *OrNullObject", async () => {
    const { run } = setup();
    const [a, b] = await run(async (ctx) => {
      const x = ctx.workbook.worksheets.getItemOrNullObject("Deals");
      const y = ctx.workbook.worksheets.getItemOrNullObject("Nope");
      await ctx.sync();
      return [x.isNullObject, y.isNullObject];
    });
    expect([a, b]).toEqual([false, true]);
  });
});
