// The "Pipeline Review" tab: headline numbers, then small tables grouped by the cadence people read them, then numbered footnotes.
import { a1, a1Range } from "./a1.js";
import type { PipelineMetrics, UnitMetric } from "./metrics.js";
import type { MovedDeal } from "./movement.js";
import { TAB_REVIEW, type Cell, type ChartSpec, type TabFormat, type TabWrite } from "./types.js";

const MONEY = "#,##0";
const PCT = "0%";
const DAYS = "0.0";
const COUNT = "0";
const RATIO = '0.00"x"';
const HEADER_FILL = "#F3F2F1";
const NA = "n/a";

/** Column format of a table: a number format for the data cells, or undefined for text. */
type ColFormat = string | undefined;

class ReviewGrid {
  readonly rows: Cell[][] = [];
  readonly formats: TabFormat[] = [];
  readonly notes: string[] = [];

  row(cells: Cell[]): number {
    this.rows.push(cells);
    return this.rows.length - 1;
  }
  blank(): void {
    this.rows.push([]);
  }
  /** Registers a footnote and returns its marker, " [n]". */
  note(definition: string): string {
    this.notes.push(definition);
    return ` [${this.notes.length}]`;
  }
  heading(text: string, fontSize: number): number {
    const r = this.row([text]);
    this.formats.push({ range: a1(r, 0), bold: true, fontSize });
    return r;
  }
  /** A bold header row, then the data rows; returns where the data starts. */
  table(header: string[], data: Cell[][], cols: ColFormat[]): { header: number; first: number } {
    const h = this.row(header);
    this.formats.push({ range: a1Range(h, 0, 1, header.length), bold: true, fill: HEADER_FILL });
    const first = this.rows.length;
    for (const d of data) this.row(d);
    if (data.length > 0)
      cols.forEach((f, c) => {
        if (f !== undefined) this.formats.push({ range: a1Range(first, c, data.length, 1), numberFormat: f });
      });
    return { header: h, first };
  }
  /** Label / value rows where each value has its own format. */
  pairs(header: string[], items: { label: string; value: Cell; format?: string; note?: string }[]): void {
    const h = this.row(header);
    this.formats.push({ range: a1Range(h, 0, 1, header.length), bold: true, fill: HEADER_FILL });
    for (const it of items) {
      const r = this.row(it.note === undefined ? [it.label, it.value] : [it.label, it.value, it.note]);
      if (it.format !== undefined && typeof it.value === "number") this.formats.push({ range: a1(r, 1), numberFormat: it.format });
    }
  }
}

const orNa = (x: number | null): Cell => (x === null ? NA : x);

function unitItem(m: UnitMetric, g: ReviewGrid): { label: string; value: Cell; format?: string; note?: string } {
  const format = m.unit === "money" ? MONEY : m.unit === "months" ? "0.0" : "0.00";
  return { label: m.name + g.note(m.definition), value: orNa(m.value), format, note: m.status };
}

/** Deals listed per kind of change in the review tab; the JSON (metrics.movement) lists up to 200 of each. */
const MOVED_SHOWN = 25;

/**
 * "Since last review": the waterfall (its Value column adds up from Start to End), then the deals behind it,
 * each with its sheet row so a host can link to it (like the stuck list's deals, by name and row).
 */
function movementSection(g: ReviewGrid, m: PipelineMetrics): void {
  const mv = m.movement;
  if (mv === null) return;
  const cur = m.currency;
  g.heading(`Since last review: ${mv.since}${g.note(mv.definition)}`, 14);
  const n = (x: number): string => `${x} deal${x === 1 ? "" : "s"}`;
  // 0 − x, not −x: a cell should never hold −0.
  const neg = (x: number): number => 0 - x;
  g.table(
    ["Open pipeline", "Deals", `Value (${cur})`, "Note"],
    [
      [`Start (${mv.since})`, mv.start.count, mv.start.value, ""],
      ["+ New deals", mv.new.count, mv.new.value, ""],
      ["+ Value increased", "", mv.increased.value, n(mv.increased.count)],
      ["− Value decreased", "", neg(mv.decreased.value), n(mv.decreased.count)],
      ["− Won", neg(mv.won.count), neg(mv.won.value), ""],
      ["− Lost", neg(mv.lost.count), neg(mv.lost.value), ""],
      ["± Other", mv.other.count, mv.other.value, `${mv.other.in.count} in, ${mv.other.out.count} out (reopened, deleted, stage cleared)`],
      ["= End (today)", mv.end.count, mv.end.value, ""],
    ],
    [undefined, COUNT, MONEY, undefined],
  );
  g.blank();
  const rows: Cell[][] = [];
  const more: string[] = [];
  const list = (kind: string, deals: readonly MovedDeal[], total: number, detail: (d: MovedDeal) => string, amount = true): void => {
    for (const d of deals.slice(0, MOVED_SHOWN)) rows.push([d.name, d.sheetRow ?? "not on the sheet", kind, d.owner, d.stage, amount ? d.value : "", detail(d)]);
    if (total > Math.min(deals.length, MOVED_SHOWN)) more.push(`${total - Math.min(deals.length, MOVED_SHOWN)} more ${kind.toLowerCase()}`);
  };
  const none = (): string => "";
  list("New", mv.new.deals, mv.new.count, none);
  list("Value up", mv.increased.deals, mv.increased.count, none);
  list("Value down", mv.decreased.deals, mv.decreased.count, none);
  list("Won", mv.won.deals, mv.won.count, none);
  list("Lost", mv.lost.deals, mv.lost.count, none);
  list("Other", mv.other.deals, mv.other.in.count + mv.other.out.count, (d) => (d.value >= 0 ? "back in the open pipeline" : "gone from the open pipeline"));
  list("Advanced", mv.advanced.deals, mv.advanced.count, (d) => `${d.from} → ${d.to}`, false);
  list("Moved back", mv.movedBack.deals, mv.movedBack.count, (d) => `${d.from} → ${d.to}`, false);
  list("Close pushed", mv.pushed.deals, mv.pushed.count, (d) => `${d.from || "?"} → ${d.to || "?"}; pushed ${d.pushes ?? 0} time${d.pushes === 1 ? "" : "s"} in all`, false);
  list("Quiet", mv.quiet.deals, mv.quiet.count, () => "nothing logged since", false);
  if (rows.length === 0) g.row(["No deal changed."]);
  else g.table(["Deal", "Row", "Change", "Owner", "Stage", `Amount (${cur})`, "Detail"], rows, [undefined, COUNT, undefined, undefined, undefined, MONEY, undefined]);
  if (more.length > 0) g.row([`Also: ${more.join(", ")} (all in the JSON of pipesheet review --json).`]);
  g.blank();
}

/** The forecast range beside the weighted forecast: percentiles of the won value, commit and best case. */
function rangeSection(g: ReviewGrid, m: PipelineMetrics): void {
  const fr = m.forecastRange;
  const cur = m.currency;
  const note = g.note(fr.definition);
  const cols: ColFormat[] = [undefined, COUNT, MONEY, MONEY, MONEY, MONEY, MONEY];
  const head = (first: string): string[] => [first, "Deals", `P10 (${cur})`, `P50 (${cur})`, `P90 (${cur})`, `Commit (${cur})`, `Best case (${cur})`];
  const line = (r: (typeof fr)["total"]): Cell[] => [r.period, r.deals, r.p10, r.p50, r.p90, r.commit, r.bestCase];
  g.heading(`Forecast range by close month${note}`, 12);
  g.table(head("Close month"), [...fr.byMonth.map(line), line(fr.total)], cols);
  g.blank();
  g.heading(`Forecast range by quarter${note}`, 12);
  g.table(head("Close quarter"), [...fr.byQuarter.map(line), line(fr.total)], cols);
  g.blank();
}

export function buildReview(m: PipelineMetrics, today: string): TabWrite {
  const g = new ReviewGrid();
  const cur = m.currency;
  g.heading("Pipeline Review", 16);
  g.row([`as of ${today}`]);
  g.formats.push({ range: "A2", italic: true });
  g.blank();

  const stuckCount = m.stuck.total;
  g.table(
    [`Open pipeline (${cur})`, `Weighted pipeline (${cur})`, `Win rate (by ${m.winRate.basis})`, "Stuck deals"],
    [[m.pipeline.total.value, m.pipeline.total.weighted, orNa(m.winRate.value), stuckCount]],
    [MONEY, MONEY, PCT, COUNT],
  );
  g.blank();

  movementSection(g, m);

  // ---- Weekly ----
  g.heading("Weekly", 14);
  g.heading(`Open pipeline by stage${g.note(m.pipeline.definition)}`, 12);
  const stages = g.table(
    ["Stage", "Deals", `Value (${cur})`, `Weighted (${cur})`, "Win probability"],
    m.pipeline.rows.map((r) => [r.stage, r.count, r.value, r.weighted, r.probability]),
    [undefined, COUNT, MONEY, MONEY, PCT],
  );
  const totalRow = g.row(["Total", m.pipeline.total.count, m.pipeline.total.value, m.pipeline.total.weighted]);
  g.formats.push({ range: a1Range(totalRow, 0, 1, 4), bold: true }, { range: a1Range(totalRow, 2, 1, 2), numberFormat: MONEY });
  if (m.counts.unknownStage > 0) g.row(["Deals with an unknown stage", m.counts.unknownStage]);
  g.blank();

  g.heading(`Stuck deals${g.note(m.stuck.definition)}`, 12);
  if (stuckCount === 0) g.row(["No stuck deals."]);
  else
    g.table(
      ["Deal", "Owner", "Stage", "Days in stage", "Days over", "Why", "Suggested action"],
      m.stuck.rows.map((s) => [s.name || s.id || `row ${s.sheetRow}`, s.owner, s.stage, orNa(s.daysInStage), s.overdueDays, s.reasons.join("; "), s.action]),
      [undefined, undefined, undefined, COUNT, COUNT, undefined, undefined],
    );
  if (stuckCount > m.stuck.rows.length) g.row([`The ${m.stuck.rows.length} most overdue of ${stuckCount} stuck deals; filter the Stuck column on the deals sheet for all of them.`]);
  g.blank();

  g.heading(`New leads${g.note(m.newLeads.definition)}`, 12);
  g.table(["Period", "New leads", "Qualified"], [["Last 7 days", m.newLeads.last7Days, m.newLeads.qualifiedLast7Days]], [undefined, COUNT, COUNT]);
  g.blank();
  g.heading(`Lead grades of open deals${g.note(m.grades.definition)}`, 12);
  g.table(["Grade", "Deals"], (["A", "B", "C", "D"] as const).map((k) => [k, m.grades.counts[k]]), [undefined, COUNT]);
  g.blank();

  // ---- Monthly ----
  g.heading("Monthly", 14);
  g.heading("Key figures", 12);
  const rt = m.responseTime;
  const rtNote = rt.present ? "" : "add a First contact column";
  g.pairs(
    ["Metric", "Value", "Basis"],
    [
      { label: `Win rate${g.note(m.winRate.definition)}`, value: orNa(m.winRate.value), format: PCT, note: `by ${m.winRate.basis}: ${m.winRate.won} won, ${m.winRate.lost} lost` },
      { label: `Average deal size (${cur})${g.note(m.dealSize.definition)}`, value: orNa(m.dealSize.value), format: MONEY, note: `${m.dealSize.deals} won deals` },
      { label: `Sales cycle (days)${g.note(m.cycle.definition)}`, value: orNa(m.cycle.days), format: DAYS, note: `${m.cycle.basis} deals, ${m.cycle.used} used` },
      { label: `Sales velocity (${cur} per day)${g.note(m.velocity.definition)}`, value: orNa(m.velocity.perDay), format: MONEY, note: m.velocity.missing.length > 0 ? `needs ${m.velocity.missing.join(", ")}` : "" },
      { label: `Lead response, mean days${g.note(rt.definition)}`, value: orNa(rt.mean), format: DAYS, note: rt.present ? `${rt.used} deals` : rtNote },
      { label: "Lead response, median days", value: orNa(rt.median), format: DAYS, note: rtNote },
    ],
  );
  g.blank();

  const forecastNote = g.note(m.forecast.definition);
  const forecastCols: ColFormat[] = [undefined, COUNT, MONEY, MONEY];
  g.heading(`Weighted forecast by close month${forecastNote}`, 12);
  g.table(["Close month", "Deals", `Value (${cur})`, `Weighted (${cur})`], m.forecast.byMonth.map((r) => [r.period, r.count, r.value, r.weighted]), forecastCols);
  g.blank();
  g.heading(`Weighted forecast by quarter${forecastNote}`, 12);
  g.table(["Close quarter", "Deals", `Value (${cur})`, `Weighted (${cur})`], m.forecast.byQuarter.map((r) => [r.period, r.count, r.value, r.weighted]), forecastCols);
  g.blank();
  rangeSection(g, m);

  g.heading(`Owners${g.note(m.owners.definition)}`, 12);
  g.table(
    ["Owner", "Open deals", `Open value (${cur})`, `Weighted (${cur})`, "Won deals", `Won value (${cur})`, "Lost deals", "Win rate", "Stuck"],
    m.owners.rows.map((o) => [o.owner, o.open, o.openValue, o.weighted, o.won, o.wonValue, o.lost, orNa(o.winRate), o.stuck]),
    [undefined, COUNT, MONEY, MONEY, COUNT, MONEY, COUNT, PCT, COUNT],
  );
  g.blank();

  g.heading(`Loss reasons${g.note(m.lossReasons.definition)}`, 12);
  if (m.lossReasons.rows.length === 0) g.row(["No lost deals."]);
  else g.table(["Reason", "Lost deals", `Value (${cur})`], m.lossReasons.rows.map((r) => [r.reason, r.count, r.value]), [undefined, COUNT, MONEY]);
  g.blank();

  g.heading(`Leads per month${g.note(m.newLeads.monthlyDefinition)}`, 12);
  g.table(["Created month", "New leads", "Qualified"], m.newLeads.byMonth.map((r) => [r.month, r.newLeads, r.qualified]), [undefined, COUNT, COUNT]);
  g.blank();

  // ---- Quarterly ----
  g.heading("Quarterly", 14);
  const cov = m.coverage;
  g.heading(`Pipeline coverage${g.note(cov.definition)}`, 12);
  if (!cov.set) g.row(["not set: fill in Revenue target in Pipeline Settings"]);
  else
    g.pairs(
      ["Measure", "Value"],
      [
        { label: "Target period", value: cov.period },
        { label: `Target (${cur})`, value: orNa(cov.target), format: MONEY },
        { label: `Won this period (${cur})`, value: cov.wonInPeriod, format: MONEY },
        { label: `Gap to target (${cur})`, value: orNa(cov.gap), format: MONEY },
        { label: `Weighted pipeline closing this period (${cur})`, value: cov.weightedInPeriod, format: MONEY },
        { label: "Coverage", value: orNa(cov.ratio), format: RATIO },
        { label: "New leads needed", value: orNa(cov.newLeadsNeeded), format: COUNT },
      ],
    );
  g.blank();

  g.heading(`Stage conversion${g.note(m.conversion.definition)}`, 12);
  g.table(
    ["From", "To", "Reached", "Went on", "Conversion"],
    m.conversion.rows.map((r) => [r.from, r.to, r.reached, r.advanced, orNa(r.rate)]),
    [undefined, undefined, COUNT, COUNT, PCT],
  );
  g.blank();

  g.heading(`Average time in stage${g.note(m.timeInStage.definition)}`, 12);
  g.table(["Stage", "Average days", "Deals measured"], m.timeInStage.rows.map((r) => [r.stage, orNa(r.days), r.samples]), [undefined, DAYS, COUNT]);
  g.blank();

  g.heading("Unit economics", 12);
  const ue = m.unitEconomics;
  g.pairs(["Metric", "Value", "Note"], [unitItem(ue.ltv, g), unitItem(ue.cac, g), unitItem(ue.payback, g), unitItem(ue.magicNumber, g)]);
  g.blank();

  const wm = m.model;
  g.heading(`Win likelihood model${g.note(wm.definition)}`, 12);
  g.pairs(
    ["Measure", "Value"],
    [
      { label: "Status", value: wm.message },
      { label: "Held-out closed deals", value: wm.holdoutSize, format: COUNT },
      { label: "Accuracy at 50 %", value: orNa(wm.accuracy), format: PCT },
      { label: "Brier score", value: orNa(wm.brier), format: "0.000" },
      { label: "Brier score of the base rate", value: orNa(wm.baselineBrier), format: "0.000" },
    ],
  );
  g.blank();

  g.heading("Notes", 12);
  g.notes.forEach((n, i) => g.row([`[${i + 1}] ${n}`]));

  const width = g.rows.reduce((w, r) => Math.max(w, r.length), 1);
  const values = g.rows.map((r) => (r.length === width ? r : [...r, ...Array<Cell>(width - r.length).fill("")]));
  const tab: TabWrite = { name: TAB_REVIEW, values, hidden: false, formats: g.formats, widths: [44, 16, 18, 18, 14, 18, 40, 12, 10].slice(0, width) };
  const n = m.pipeline.rows.length;
  if (n > 0) {
    const chart: ChartSpec = {
      type: "funnel",
      title: "Open pipeline by stage",
      categories: a1Range(stages.first, 0, n, 1),
      values: a1Range(stages.first, 1, n, 1),
      anchor: a1(stages.header, width + 1),
    };
    tab.chart = chart;
  }
  return tab;
}
