// Real public CRM exports (test/fixtures/real, sources and licences in its README.md) run through the real CLI:
// `pipesheet review FILE --json --today …` must give, on the FIRST run with no settings, the figures worked out
// independently in test/real/expected.ts (a small reader per file for the format it is known to have).
//
// One describe per file, one it() per figure, each title carrying the expected value, so a failure names the
// wrong figure. Money: to the cent or within 0.5 %; days: ±0.5. BEFORE.md beside the fixtures has what
// pipesheet 0.1 printed for each figure before the inference rewrite.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, type CliRun } from "./cli-harness.js";
import { expectedFor, FIXTURES, type Figures } from "./real/expected.js";

const DIR = join(ROOT, "test", "fixtures", "real");

/** The part of `review --json` these tests read (see README.md, "--json"). */
interface ReviewJson {
  metrics: {
    counts: { deals: number; open: number; won: number; lost: number };
    winRate: { value: number | null; basis: "count" | "value"; won: number; lost: number; wonValue: number; lostValue: number };
    dealSize: { value: number | null };
    pipeline: { rows: { stage: string; count: number; value: number }[]; total: { count: number; value: number } };
    cycle: { days: number | null; basis: "won" | "closed" };
    owners: { rows: { owner: string; won: number; wonValue: number }[] };
  };
}

const money = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
const pct = (n: number | null): string => (n === null ? "none" : `${(n * 100).toFixed(2)} %`);
const days = (n: number | null): string => (n === null ? "none" : `${n.toFixed(1)} days`);

/** To the cent, or within 0.5 % of the expected amount, whichever is looser. */
function expectMoney(actual: number | null | undefined, expected: number, what: string): void {
  expect(actual, `${what}: pipesheet gave ${String(actual)}, expected ${money(expected)}`).toBeTypeOf("number");
  const tolerance = Math.max(0.01, Math.abs(expected) * 0.005);
  expect(Math.abs((actual as number) - expected), `${what}: pipesheet gave ${money(actual as number)}, expected ${money(expected)}`).toBeLessThanOrEqual(tolerance);
}

function expectRate(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, `${what}: pipesheet gave ${String(actual)}, expected ${pct(expected)}`).toBeTypeOf("number");
  expect(Math.abs((actual as number) - expected), `${what}: pipesheet gave ${pct(actual as number)}, expected ${pct(expected)}`).toBeLessThanOrEqual(0.0005);
}

const norm = (s: string): string => s.trim().toLowerCase();

// Worked out before the describes, so that each test title can carry its expected value (workbooks read asynchronously).
const EXPECTED: Figures[] = await Promise.all(FIXTURES.map((fx) => expectedFor(fx, DIR)));

for (const [index, fx] of FIXTURES.entries()) {
  describe(`real export ${fx.file}`, () => {
    const exp = EXPECTED[index] as Figures;
    let run: CliRun;
    let review: ReviewJson | null = null;
    let parseError = "";

    beforeAll(async () => {
      run = await runCli(["review", join(DIR, fx.file), "--json", "--today", fx.today]);
      try {
        const j = JSON.parse(run.stdout) as Partial<ReviewJson> & { error?: unknown };
        if (j.metrics) review = j as ReviewJson;
        else parseError = `no metrics in the output: ${run.stdout.slice(0, 300)}`;
      } catch (e) {
        parseError = `stdout is not JSON (${String(e)}): ${run.stdout.slice(0, 300)} ${run.stderr.slice(0, 300)}`;
      }
    });

    const m = (): ReviewJson["metrics"] => {
      if (review === null) throw new Error(`pipesheet gave no review for ${fx.file} (exit ${run.code}): ${parseError}`);
      return review.metrics;
    };

    it("exits 0 with a JSON review and nothing on stderr", () => {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(review, parseError).not.toBeNull();
    });

    it(`reads all ${exp.deals} deals`, () => {
      expect(m().counts.deals, "deals read (metrics.counts.deals)").toBe(exp.deals);
    });

    it(`won deals: ${exp.won}`, () => {
      expect(m().counts.won, "won deals (metrics.counts.won)").toBe(exp.won);
    });

    it(`lost deals: ${exp.lost}`, () => {
      expect(m().counts.lost, "lost deals (metrics.counts.lost)").toBe(exp.lost);
    });

    it(`open deals: ${exp.open}`, () => {
      expect(m().counts.open, "open deals (metrics.counts.open)").toBe(exp.open);
    });

    it(`win rate: ${pct(exp.winRateByCount)} by count (${pct(exp.winRateByValue)} by value)`, () => {
      const w = m().winRate;
      expectRate(w.value, w.basis === "value" ? exp.winRateByValue : exp.winRateByCount, `win rate by ${w.basis}`);
    });

    it(`total won value: ${money(exp.wonValue)}`, () => {
      expectMoney(m().winRate.wonValue, exp.wonValue, "total won value");
    });

    it(`average won deal: ${exp.avgWonValue === null ? "none" : money(exp.avgWonValue)}`, () => {
      if (exp.avgWonValue === null) expect(m().dealSize.value).toBeNull();
      else expectMoney(m().dealSize.value, exp.avgWonValue, "average won deal");
    });

    it(`open pipeline: ${exp.openCount} deals`, () => {
      expect(m().pipeline.total.count, "open deals in the pipeline (metrics.pipeline.total.count)").toBe(exp.openCount);
    });

    it(`open pipeline value: ${money(exp.openValue)}`, () => {
      expectMoney(m().pipeline.total.value, exp.openValue, "open pipeline value (metrics.pipeline.total.value)");
    });

    for (const [stage, s] of Object.entries(exp.openByStage)) {
      it(`open in stage "${stage}": ${s.count} deals worth ${money(s.value)}`, () => {
        const rows = m().pipeline.rows.filter((r) => norm(r.stage) === norm(stage));
        expect(rows.length, `a pipeline row for the file's stage "${stage}" (rows: ${m().pipeline.rows.map((r) => r.stage).join(", ")})`).toBe(1);
        const row = rows[0] as { count: number; value: number };
        expect(row.count, `open deals in "${stage}"`).toBe(s.count);
        expectMoney(row.value, s.value, `open value in "${stage}"`);
      });
    }

    if (exp.cycle) {
      const c = exp.cycle;
      it(`sales cycle: ${days(c.won.days)} for won deals (${c.won.used} used), ${days(c.closed.days)} for closed deals (${c.closed.used} used)`, () => {
        const got = m().cycle;
        const want = got.basis === "closed" ? c.closed.days : c.won.days;
        if (want === null) {
          expect(got.days, `cycle on ${got.basis} deals: no deal has a created date on or before its close date`).toBeNull();
          return;
        }
        expect(got.days, `cycle on ${got.basis} deals: pipesheet gave ${String(got.days)}, expected ${days(want)}`).toBeTypeOf("number");
        expect(Math.abs((got.days as number) - want), `cycle on ${got.basis} deals: pipesheet gave ${days(got.days)}, expected ${days(want)}`).toBeLessThanOrEqual(0.5);
      });
    }

    const top = exp.topOwner;
    if (top) {
      it(`top owner by won value: ${top.owner} with ${top.won} won deals worth ${money(top.wonValue)}`, () => {
        const rows = [...m().owners.rows].sort((a, b) => b.wonValue - a.wonValue);
        const first = rows[0];
        expect(first?.owner, `owners by won value: ${rows.slice(0, 3).map((r) => `${r.owner} ${money(r.wonValue)}`).join(", ")}`).toBe(top.owner);
        expect(first?.won, "won deals of the top owner").toBe(top.won);
        expectMoney(first?.wonValue, top.wonValue, "won value of the top owner");
      });
    }
  });
}
