// A sync cut off at any request, by a 429, a 500, a dropped connection before or after the request took
// effect: both sides stay consistent, and running the same command again converges on the result an
// uninterrupted run gives, with no duplicated rows or log lines and nothing lost.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import type { FakeSpreadsheet } from "./fakes/sheets-api/model.js";
import type { FaultKind, Method } from "./fakes/sheets-api/server.js";

let h: Harness;
const TODAY = "2026-11-26";
const BEFORE = [
  "Deal ID,Deal,Stage,Value,Stage entered,Owner",
  "D-000001,Acme renewal,Proposal,1200,2026-10-01,Ana",
  "D-000002,Beta pilot,Meeting,800,2026-10-05,Bo",
  "D-000003,Gamma,Prospecting,300,2026-11-01,Cy",
  "D-000004,Delta,Negotiation,5000,2026-09-20,Di",
  "",
].join("\r\n");

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.stop();
});

const cli = (csv: string, ...extra: string[]) => runInProcess(["sync", csv, "gsheet:S1#Deals", "--delete", "--key", h.keyFile, "--today", TODAY, ...extra], h.env);

/** Both sides synced once, then edited on both sides in every way a run has to write. */
async function fixture(): Promise<{ csv: string; ss: FakeSpreadsheet; dir: string }> {
  const dir = mkdtempSync(join(h.dir, "fault-"));
  const csv = join(dir, "deals.csv");
  writeFileSync(csv, BEFORE);
  h.server.spreadsheets.delete("S1");
  const ss = h.server.create("S1");
  ss.addSheet("Deals", []);
  const first = await cli(csv);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  // Local: an edited cell, a stage change, a deleted row, a new row without an ID.
  writeFileSync(
    csv,
    [
      "Deal ID,Deal,Stage,Value,Stage entered,Owner",
      "D-000001,Acme renewal,Negotiation,1200,2026-10-01,Ana",
      "D-000002,Beta pilot,Meeting,850,2026-10-05,Bo",
      "D-000004,Delta,Negotiation,5000,2026-09-20,Di",
      ",Epsilon,Prospecting,90,,Eve",
      "",
    ].join("\r\n"),
  );
  // Remote: an edited cell and a new row without an ID.
  const deals = ss.sheet("Deals");
  deals.set(4, 5, "Dina");
  deals.set(5, 1, "Zeta");
  deals.set(5, 2, "Meeting");
  deals.set(5, 3, 70);
  h.server.resetCounts();
  h.server.faults.length = 0;
  return { csv, ss, dir };
}

interface Outcome {
  csv: string;
  deals: unknown;
  log: unknown;
}
const outcome = (csv: string, ss: FakeSpreadsheet): Outcome => ({
  csv: readFileSync(csv, "utf8"),
  deals: ss.grid("Deals"),
  log: ss.sheets.some((s) => s.props.title === "Pipeline Log") ? ss.grid("Pipeline Log") : null,
});

describe("sync cut off at any request", () => {
  it("converges on the uninterrupted result, for every request and every kind of failure", { timeout: 300_000 }, async () => {
    const clean = await fixture();
    const r = await cli(clean.csv);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const want = outcome(clean.csv, clean.ss);
    const methods: Method[] = h.server.calls.map((c) => c.method);
    // Every kind of write a sync makes is in this run.
    expect(methods).toEqual([
      "spreadsheets.get",
      "values.batchGet",
      "values.batchUpdate", // Deal ID for the sheet's new row, first
      "values.batchUpdate", // changed cells
      "values.append", // the CSV's new row
      "spreadsheets.batchUpdate", // the stage change with its log row, together
      "values.batchGet", // the ID column again, just before deleting
      "spreadsheets.batchUpdate", // the deleted row
    ]);
    expect(want.log).toEqual([
      ["Deal ID", "From", "To", "When", "By", "Value", "Close", "Owner", "Outcome", "Logged"],
      ["D-000001", "Proposal", "Negotiation", 46352, "sync"],
    ]);
    rmSync(clean.dir, { recursive: true });

    const kinds: FaultKind[] = ["429", "500", "drop", "drop-after"];
    let stopped = 0;
    for (let k = 1; k <= methods.length; k++) {
      for (const kind of kinds) {
        const { csv, ss, dir } = await fixture();
        h.server.failAt(k, kind);
        const cut = await cli(csv);
        h.server.faults.length = 0;
        if (cut.code !== 0) {
          stopped++;
          expect(cut.code).toBe(7);
          expect(cut.stderr).toMatch(/run the same command again|safe to repeat/);
        }
        const again = await cli(csv);
        expect({ k, kind, code: again.code, err: again.stderr }).toEqual({ k, kind, code: 0, err: "" });
        expect({ k, kind, ...outcome(csv, ss) }).toEqual({ k, kind, ...want });
        // And it has settled: one more run writes nothing.
        h.server.resetCounts();
        await cli(csv);
        expect(h.server.calls.map((c) => c.method).filter((m) => m !== "spreadsheets.get" && m !== "values.batchGet")).toEqual([]);
        expect(existsSync(join(dir, "deals.conflicts.csv"))).toBe(false);
        rmSync(dir, { recursive: true });
      }
    }
    // Requests that are not safe to repeat (append, the stage batch, the deletion) stopped the run on every
    // kind of failure; reads and fixed-range writes were retried and the run went through.
    expect(stopped).toBe(3 * kinds.length);
  });
});
