// A real export whose date headers say nothing: the Maven sales pipeline (test/fixtures/real) with engage_date
// and close_date renamed "Fecha" and "Datum" and their columns swapped. The values alone must tell the created
// date from the close date, so the first review gives the figures worked out independently for the original.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "./cli-harness.js";
import { expectedFor, FIXTURES, type Figures } from "./real/expected.js";

const DIR = join(ROOT, "test", "fixtures", "real");
const FILE = "maven-sales-pipeline-ddmmyyyy.csv";

/** The file with two columns swapped and renamed, by plain text splitting (the file has no quoted fields). */
function renamed(text: string): string {
  const lines = text.split("\r\n");
  const header = (lines[0] as string).split(",");
  const a = header.indexOf("engage_date");
  const b = header.indexOf("close_date");
  if (a < 0 || b < 0 || text.includes('"')) throw new Error("the fixture is not the shape this test expects");
  return lines
    .map((line, i) => {
      if (line === "") return line;
      const f = line.split(",");
      [f[a], f[b]] = [f[b] as string, f[a] as string];
      if (i === 0) [f[a], f[b]] = ["Datum", "Fecha"];
      return f.join(",");
    })
    .join("\r\n");
}

describe(`${FILE} with its date headers renamed to say nothing`, () => {
  it("the close date and the created date come from the values; the figures are the original's", async () => {
    const fx = FIXTURES.find((f) => f.file === FILE);
    if (!fx) throw new Error(`${FILE} is not among the fixtures`);
    const exp: Figures = await expectedFor(fx, DIR);
    const dir = await tempDir();
    const file = join(dir, "renamed.csv");
    writeFileSync(file, renamed(readFileSync(join(DIR, FILE), "latin1")), "latin1");
    const r = await runCli(["review", file, "--json", "--today", fx.today]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      summary: { columns: Record<string, string>; mapping: { field: string; evidence: string }[] };
      metrics: { counts: { deals: number; won: number; lost: number }; cycle: { days: number | null; basis: string } };
    };
    expect([j.summary.columns.createdDate, j.summary.columns.closeDate]).toEqual(["Fecha", "Datum"]);
    expect(j.summary.mapping.find((m) => m.field === "closeDate")?.evidence).toMatch(/^never before Fecha in [\d,]+ rows$/);
    expect([j.metrics.counts.deals, j.metrics.counts.won, j.metrics.counts.lost]).toEqual([exp.deals, exp.won, exp.lost]);
    const want = exp.cycle?.[j.metrics.cycle.basis === "won" ? "won" : "closed"].days ?? null;
    expect(want).toBeTypeOf("number");
    expect(Math.abs((j.metrics.cycle.days as number) - (want as number))).toBeLessThanOrEqual(0.5);
  });
});
