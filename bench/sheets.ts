// Sheets script bench: service calls and time per command against the strict fake, 1k / 10k / 50k deals.
// Run: npx tsx bench/sheets.ts   (the bundle is built first; nothing is timed inside a test)
import { performance } from "node:perf_hooks";
import { run, type Command } from "../core/index.js";
import { loadScript } from "../test/fakes/apps-script/bundle.js";
import { dealsBook } from "../test/fakes/apps-script/deals.js";
import { inputOf, todayOf } from "../test/fakes/apps-script/expect.js";
import { FakeRange, FakeRangeList, FakeSheet, FakeSpreadsheet } from "../test/fakes/apps-script/spreadsheet.js";

/** Time spent inside the fake's own methods (outermost calls only), to tell the adapter's cost from the fake's. */
let fakeMs = 0;
let depth = 0;
for (const cls of [FakeRange, FakeRangeList, FakeSheet, FakeSpreadsheet]) {
  const proto = cls.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const f = proto[name];
    if (name === "constructor" || typeof f !== "function") continue;
    proto[name] = function (this: unknown, ...args: unknown[]): unknown {
      const t = performance.now();
      depth++;
      try {
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        depth--;
        if (depth === 0) fakeMs += performance.now() - t;
      }
    };
  }
}

const SIZES = [1_000, 10_000, 50_000];
const COMMANDS: [Command, string][] = [
  ["setup", "pipelineSetup"],
  ["score", "pipelineScore"],
  ["review", "pipelineReview"],
];

interface Row {
  deals: number;
  command: string;
  calls: number;
  setValues: number;
  wallMs: number;
  coreMs: number;
  fakeMs: number;
  modelledS: number;
}

const rows: Row[] = [];
for (const n of SIZES) {
  const script = await loadScript();
  dealsBook(script.env, n);
  for (const [command, fn] of COMMANDS) {
    // core alone on the same cells, for the split between deciding and applying
    const input = inputOf(script.env, "Deals");
    const c0 = performance.now();
    run(input, { command, today: todayOf(script.env) });
    const coreMs = performance.now() - c0;

    script.env.resetCounts();
    const clock0 = script.env.clock;
    fakeMs = 0;
    const t0 = performance.now();
    script.call(fn, "menu");
    const wallMs = performance.now() - t0;
    rows.push({
      deals: n,
      command,
      calls: script.env.calls,
      setValues: script.env.byName.get("Range.setValues") ?? 0,
      wallMs,
      coreMs,
      fakeMs,
      modelledS: (script.env.clock - clock0) / 1000,
    });
  }
  const edit = await (async () => {
    script.env.resetCounts();
    const { editEvent } = await import("../test/fakes/apps-script/bundle.js");
    const t0 = performance.now();
    script.call("onEdit", "simple-trigger", editEvent(script, "Deals", "A5", "x"));
    return { calls: script.env.calls, ms: performance.now() - t0 };
  })();
  rows.push({ deals: n, command: "onEdit (not Stage)", calls: edit.calls, setValues: 0, wallMs: edit.ms, coreMs: 0, fakeMs: 0, modelledS: 0 });
}

const pad = (s: string, w: number): string => (s.length >= w ? s : " ".repeat(w - s.length) + s);
const head = ["deals", "command", "calls", "setValues", "wall ms", "core ms", "fake ms", "adapter ms", "modelled Sheets s"];
const widths = [7, 19, 6, 10, 9, 8, 8, 11, 18];
process.stdout.write(`${head.map((h, i) => pad(h, widths[i] ?? 8)).join(" ")}\n`);
for (const r of rows) {
  const cells = [String(r.deals), r.command, String(r.calls), String(r.setValues), r.wallMs.toFixed(0), r.coreMs.toFixed(0), r.fakeMs.toFixed(0), Math.max(0, r.wallMs - r.coreMs - r.fakeMs).toFixed(0), r.modelledS.toFixed(1)];
  process.stdout.write(`${cells.map((c, i) => pad(c, widths[i] ?? 8)).join(" ")}\n`);
}
process.stdout.write(
  "\nadapter ms = wall - core - fake: the bundle's own reading, converting and block building (core time measured apart, same cells).\nmodelled Sheets s: the fake's cost model (5 ms a call, 20 µs a written cell, 2 µs a read cell), an order-of-magnitude guide, not a measurement of Google's servers.\n",
);
