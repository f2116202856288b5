// The "Pipeline Review" tab as a dashboard: headline tiles, the stage funnel and the monthly forecast each
// beside its chart, then tables grouped by the cadence people read them (each a sortable table in the host),
// the stuck list, and numbered footnotes.
import { a1, a1Range } from "./a1.js";
import type { PipelineMetrics, UnitMetric } from "./metrics.js";
import { RULE_PREFIX, TAB_REVIEW, type Cell, type ChartSpec, type LinkSpec, type TableSpec, type TabFormat, type TabWrite } from "./types.js";
import type { MovedDeal } from "./movement.js";

const MONEY = "#,##0";
const PCT = "0%";
const DAYS = '0.0 "days"';
const COUNT = "0";
const RATIO = '0.00"x"';
const HEADER_FILL = "#F3F2F1";
const TILE_FILL = "#EFF6FC";
const TILE_LABEL_FILL = "#DEECF9";
/** Stuck deals listed among the weekly figures; a longer list goes to the end of the tab. */
export const STUCK_INLINE_MAX = 10;
/** Rows a chart beside a table takes, so the next one starts below it: 14 rows of Excel's default 15 points are 210 points. */
const CHART_ROWS = 14;
const CHART_WIDTH = 380;
/** Points: less than CHART_ROWS default rows (210 pt, taller heading rows included), so the two charts never overlap. */
const CHART_HEIGHT = 195;
/** The charts sit right of columns A–F, so the tiles, the tables and the charts fit a laptop screen. */
const CHART_COL = 6;
const NA = "n/a";

/** Column format of a table: a number format for the data cells, or undefined for text. */
type ColFormat = string | undefined;

class ReviewGrid {
  readonly rows: Cell[][] = [];
  readonly formats: TabFormat[] = [];
  readonly notes: string[] = [];
  readonly tables: TableSpec[] = [];
  readonly links: LinkSpec[] = [];
  /** Pads with blank rows until row `r` is next. */
  padTo(r: number): void {
    while (this.rows.length < r) this.blank();
  }
  /** Marks a header row and the data below it as a sortable, filterable table. */
  sortable(name: string, header: number, rows: number, cols: number): void {
    if (rows > 0) this.tables.push({ name: `Pipesheet${name}`, range: a1Range(header, 0, rows + 1, cols) });
  }

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

/** The week's follow-ups per person from the activity log, with the week before beside them; only when there is a log. */
function activitySection(g: ReviewGrid, m: PipelineMetrics): void {
  const a = m.activity;
  // An empty log (set-up's new Activities tab) has nothing to show yet.
  if (!a.present || a.activities + a.badRows === 0) return;
  g.heading(`Activity, ${a.week.from} to ${a.week.to}${g.note(a.definition)}`, 12);
  const line = (r: PipelineMetrics["activity"]["team"]): Cell[] => [r.owner, r.calls, r.emails, r.meetings, r.contacts, r.appointments, orNa(r.appointmentRate), r.previous.contacts, r.previous.appointments, orNa(r.previous.appointmentRate)];
  const t = g.table(
    ["Person", "Calls", "Emails", "Meetings", "Contacts", "Appointments", "Appointment rate", "Contacts, week before", "Appointments, week before", "Rate, week before"],
    [...a.byOwner.map(line), line(a.team)],
    [undefined, COUNT, COUNT, COUNT, COUNT, COUNT, PCT, COUNT, COUNT, PCT],
  );
  g.formats.push({ range: a1Range(t.first + a.byOwner.length, 0, 1, 10), bold: true });
  const rt = a.responseTime;
  g.pairs(["Lead response (activity log)", "Days", "Deals"], [
    { label: `Mean${g.note(rt.definition)}`, value: orNa(rt.meanDays), format: DAYS, note: String(rt.deals) },
    { label: "Median", value: orNa(rt.medianDays), format: DAYS, note: String(rt.deals) },
  ]);
  g.blank();
}

/** Each rep's load against capacity, and the segments the team wins, in plain figures. */
function capacityAndSegmentsSection(g: ReviewGrid, m: PipelineMetrics): void {
  const c = m.capacity;
  if (c.rows.length > 0) {
    g.heading(`Capacity, ${c.period.from} to ${c.period.to}${g.note(c.definition)}`, 12);
    g.table(
      ["Rep", "Role", "Open deals", "Open capacity", "Activities", "Activity capacity", "Load (open)", "Load (activities)", "Flag"],
      c.rows.map((r) => [r.owner, r.roleSet ? r.role : `${r.role} (not in Owners)`, r.openDeals, orNa(r.openCapacity), r.activities, orNa(r.activityCapacity), orNa(r.openLoad), orNa(r.activityLoad), r.flag ?? ""]),
      [undefined, undefined, COUNT, COUNT, COUNT, COUNT, PCT, PCT, undefined],
    );
    g.blank();
  }
  const sg = m.segments;
  const tables = sg.tables.filter((t) => t.present && t.rows.length > 0);
  if (tables.length === 0) return;
  const cur = m.currency;
  g.heading(`Where we win${g.note(sg.definition)}`, 12);
  for (const t of tables)
    g.table(
      [t.by[0]?.toUpperCase() + t.by.slice(1), "Rank", "Deals", "Won", "Lost", "Win rate", "Lift", `Average deal (${cur})`, "Cycle (days)"],
      t.rows.map((r) => [r.value, r.ranked ? (r.rank ?? "") : `too few (under ${sg.minClosed} closed)`, r.deals, r.won, r.lost, orNa(r.winRate), orNa(r.lift), orNa(r.avgDealSize), orNa(r.cycleDays)]),
      [undefined, undefined, COUNT, COUNT, COUNT, PCT, RATIO, MONEY, DAYS],
    );
  g.blank();
}

/** Deals listed per kind of change in the review tab; the JSON (metrics.movement) lists up to 200 of each. */
const MOVED_SHOWN = 25;

/**
 * "Since last review": the waterfall (its Value column adds up from Start to End), then the deals behind it,
 * each with its sheet row so a host can link to it (like the stuck list's deals, by name and row).
 */
function movementSection(g: ReviewGrid, m: PipelineMetrics, dealsSheet: string | undefined): void {
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
  else {
    const t = g.table(["Deal", "Row", "Change", "Owner", "Stage", `Amount (${cur})`, "Detail"], rows, [undefined, COUNT, undefined, undefined, undefined, MONEY, undefined]);
    // Each deal's name links to its row on the deals sheet, as the stuck list's do (a deleted deal has none).
    if (dealsSheet !== undefined)
      rows.forEach((r, i) => {
        if (typeof r[1] === "number") g.links.push({ cell: a1(t.first + i, 0), sheet: dealsSheet, target: `A${r[1]}` });
      });
  }
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

const FORECAST_COLS: ColFormat[] = [undefined, COUNT, MONEY, MONEY];

/** The title and the headline tiles: label, figure, what it is based on. */
function tilesSection(g: ReviewGrid, m: PipelineMetrics, today: string): void {
  const cur = m.currency;
  g.heading("Pipeline Review", 16);
  g.row([`as of ${today}`]);
  g.formats.push({ range: "A2", italic: true });
  g.blank();

  const stuckCount = m.stuck.total;
  const cov = m.coverage;
  const tiles: { label: string; value: Cell; format: string; basis: string }[] = [
    { label: `Open pipeline (${cur})`, value: m.pipeline.total.value, format: MONEY, basis: `${m.pipeline.total.count} open deals` },
    { label: `Weighted (${cur})`, value: m.pipeline.total.weighted, format: MONEY, basis: "at stage win probability" },
    { label: "Win rate", value: orNa(m.winRate.value), format: PCT, basis: `by ${m.winRate.basis}: ${m.winRate.won} won, ${m.winRate.lost} lost` },
    { label: "Sales cycle", value: orNa(m.cycle.days), format: DAYS, basis: `${m.cycle.basis} deals, ${m.cycle.used} used` },
    { label: "Stuck deals", value: stuckCount, format: COUNT, basis: `of ${m.pipeline.total.count} open` },
    { label: "Coverage", value: cov.set ? orNa(cov.ratio) : "not set", format: RATIO, basis: cov.set ? `weighted ÷ gap, ${cov.period}` : "set a revenue target" },
  ];
  const labels = g.row(tiles.map((t) => t.label));
  const figures = g.row(tiles.map((t) => t.value));
  const bases = g.row(tiles.map((t) => t.basis));
  g.formats.push(
    { range: a1Range(labels, 0, 1, tiles.length), bold: true, fill: TILE_LABEL_FILL },
    { range: a1Range(figures, 0, 1, tiles.length), bold: true, fontSize: 16, fill: TILE_FILL },
    { range: a1Range(bases, 0, 1, tiles.length), italic: true, fill: TILE_FILL },
  );
  tiles.forEach((t, c) => {
    if (typeof t.value === "number") g.formats.push({ range: a1(figures, c), numberFormat: t.format });
  });
  g.blank();
}

/** Every open stage and the deals that reached it, beside its chart; returns where the heading and the table are. */
function funnelSection(g: ReviewGrid, m: PipelineMetrics): { at: number; first: number } {
  const cur = m.currency;
  const funnelAt = g.heading(`Funnel: deals that reached each stage${g.note(m.conversion.definition)}${g.note(m.pipeline.definition)}`, 12);
  const reached = new Map(m.conversion.rows.map((r) => [r.from, r.reached]));
  const stageRows = m.pipeline.rows.map((r) => [r.stage, reached.get(r.stage) ?? r.count, r.count, r.value, r.weighted, r.probability]);
  const stages = g.table(["Stage", "Reached", "Open deals", `Open value (${cur})`, `Weighted (${cur})`, "Win probability"], stageRows, [undefined, COUNT, COUNT, MONEY, MONEY, PCT]);
  g.sortable("Stages", stages.header, stageRows.length, 6);
  const totalRow = g.row(["Total", "", m.pipeline.total.count, m.pipeline.total.value, m.pipeline.total.weighted]);
  g.formats.push({ range: a1Range(totalRow, 0, 1, 6), bold: true }, { range: a1Range(totalRow, 3, 1, 2), numberFormat: MONEY });
  if (m.counts.unknownStage > 0) g.row(["Deals with an unknown stage", "", m.counts.unknownStage]);
  g.blank();
  g.padTo(funnelAt + CHART_ROWS);
  return { at: funnelAt, first: stages.first };
}

/** The weighted forecast by month, beside its chart; returns where the heading and the table are, how many months it has, and its footnote (the quarters reuse it). */
function forecastMonthSection(g: ReviewGrid, m: PipelineMetrics): { at: number; first: number; months: number; note: string } {
  const cur = m.currency;
  const forecastNote = g.note(m.forecast.definition);
  const forecastAt = g.heading(`Weighted forecast by close month${forecastNote}`, 12);
  const months = m.forecast.byMonth.map((r) => [r.period, r.count, r.value, r.weighted]);
  const forecast = g.table(["Close month", "Deals", `Value (${cur})`, `Weighted (${cur})`], months, FORECAST_COLS);
  g.sortable("Forecast", forecast.header, months.length, 4);
  g.blank();
  g.padTo(forecastAt + CHART_ROWS);
  return { at: forecastAt, first: forecast.first, months: months.length, note: forecastNote };
}

/** The stuck deals table, each name linked to its row on the deals sheet. */
function stuckList(g: ReviewGrid, m: PipelineMetrics, stuckNote: string, dealsSheet: string | undefined): void {
  g.heading(`Stuck deals${stuckNote}`, 12);
  if (m.stuck.total === 0) {
    g.row(["No stuck deals."]);
    return;
  }
  const rows = m.stuck.rows.map((s) => [s.name || s.id || `row ${s.sheetRow}`, s.owner, s.stage, orNa(s.daysInStage), s.overdueDays, s.reasons.join("; "), s.action]);
  const t = g.table(["Deal", "Owner", "Stage", "Days in stage", "Days over", "Why", "Suggested action"], rows, [undefined, undefined, undefined, COUNT, COUNT, undefined, undefined]);
  g.sortable("Stuck", t.header, rows.length, 7);
  // Each name goes to its row on the deals sheet, where the deal is changed.
  if (dealsSheet !== undefined) m.stuck.rows.forEach((s, i) => g.links.push({ cell: a1(t.first + i, 0), sheet: dealsSheet, target: `A${s.sheetRow}` }));
  if (m.stuck.total > m.stuck.rows.length) g.row([`The ${m.stuck.rows.length} most overdue of ${m.stuck.total} stuck deals; filter the Stuck column on the deals sheet for all of them.`]);
}

/** New leads, lead grades and the stuck deals (or, when the list is long, a pointer to it at the end); returns the pointer's row (-1 without one) and the stuck footnote. */
function weeklySection(g: ReviewGrid, m: PipelineMetrics, dealsSheet: string | undefined): { pointer: number; stuckNote: string } {
  g.heading("Weekly", 14);
  g.heading(`New leads${g.note(m.newLeads.definition)}`, 12);
  g.table(["Period", "New leads", "Qualified"], [["Last 7 days", m.newLeads.last7Days, m.newLeads.qualifiedLast7Days]], [undefined, COUNT, COUNT]);
  g.blank();
  g.heading(`Lead grades of open deals${g.note(m.grades.definition)}`, 12);
  g.table(["Grade", "Deals"], (["A", "B", "C", "D"] as const).map((k) => [k, m.grades.counts[k]]), [undefined, COUNT]);
  g.blank();
  const stuckNote = g.note(m.stuck.definition);
  const longList = m.stuck.rows.length > STUCK_INLINE_MAX;
  let pointer = -1;
  if (longList) {
    pointer = g.row([`${m.stuck.total} stuck deals: the list is at the end of this tab, after the quarterly figures.`]);
    g.formats.push({ range: a1(pointer, 0), italic: true });
  } else stuckList(g, m, stuckNote, dealsSheet);
  g.blank();
  return { pointer, stuckNote };
}

function monthlySection(g: ReviewGrid, m: PipelineMetrics, forecastNote: string): void {
  const cur = m.currency;
  g.heading("Monthly", 14);
  g.heading("Key figures", 12);
  const rt = m.responseTime;
  const rtNote = rt.present ? "" : "add a First contact column";
  g.pairs(
    ["Metric", "Value", "Basis"],
    [
      { label: `Win rate${g.note(m.winRate.definition)}`, value: orNa(m.winRate.value), format: PCT, note: `by ${m.winRate.basis}: ${m.winRate.won} won, ${m.winRate.lost} lost` },
      { label: `Average deal size (${cur})${g.note(m.dealSize.definition)}`, value: orNa(m.dealSize.value), format: MONEY, note: `${m.dealSize.deals} won deals` },
      { label: `Sales cycle${g.note(m.cycle.definition)}`, value: orNa(m.cycle.days), format: DAYS, note: `${m.cycle.basis} deals, ${m.cycle.used} used` },
      { label: `Sales velocity (${cur} per day)${g.note(m.velocity.definition)}`, value: orNa(m.velocity.perDay), format: MONEY, note: m.velocity.missing.length > 0 ? `needs ${m.velocity.missing.join(", ")}` : "" },
      { label: `Lead response, mean${g.note(rt.definition)}`, value: orNa(rt.mean), format: DAYS, note: rt.present ? `${rt.used} deals` : rtNote },
      { label: "Lead response, median", value: orNa(rt.median), format: DAYS, note: rtNote },
    ],
  );
  g.blank();

  g.heading(`Weighted forecast by quarter${forecastNote}`, 12);
  const quarters = m.forecast.byQuarter.map((r) => [r.period, r.count, r.value, r.weighted]);
  const q = g.table(["Close quarter", "Deals", `Value (${cur})`, `Weighted (${cur})`], quarters, FORECAST_COLS);
  g.sortable("Quarters", q.header, quarters.length, 4);
  g.blank();
  rangeSection(g, m);

  g.heading(`Owners${g.note(m.owners.definition)}`, 12);
  const owners = m.owners.rows.map((o) => [o.owner, o.open, o.openValue, o.weighted, o.won, o.wonValue, o.lost, orNa(o.winRate), o.stuck]);
  const ot = g.table(
    ["Owner", "Open deals", `Open value (${cur})`, `Weighted (${cur})`, "Won deals", `Won value (${cur})`, "Lost deals", "Win rate", "Stuck"],
    owners,
    [undefined, COUNT, MONEY, MONEY, COUNT, MONEY, COUNT, PCT, COUNT],
  );
  g.sortable("Owners", ot.header, owners.length, 9);
  g.blank();

  g.heading(`Loss reasons${g.note(m.lossReasons.definition)}`, 12);
  if (m.lossReasons.rows.length === 0) g.row(["No lost deals."]);
  else {
    const losses = m.lossReasons.rows.map((r) => [r.reason, r.count, r.value]);
    const lt = g.table(["Reason", "Lost deals", `Value (${cur})`], losses, [undefined, COUNT, MONEY]);
    g.sortable("Losses", lt.header, losses.length, 3);
  }
  g.blank();

  g.heading(`Leads per month${g.note(m.newLeads.monthlyDefinition)}`, 12);
  const leads = m.newLeads.byMonth.map((r) => [r.month, r.newLeads, r.qualified]);
  const lm = g.table(["Created month", "New leads", "Qualified"], leads, [undefined, COUNT, COUNT]);
  g.sortable("Leads", lm.header, leads.length, 3);
  g.blank();
}

function quarterlySection(g: ReviewGrid, m: PipelineMetrics): void {
  const cur = m.currency;
  const cov = m.coverage;
  g.heading("Quarterly", 14);
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
  const conv = m.conversion.rows.map((r) => [r.from, r.to, r.reached, r.advanced, orNa(r.rate)]);
  const ct = g.table(["From", "To", "Reached", "Went on", "Conversion"], conv, [undefined, undefined, COUNT, COUNT, PCT]);
  g.sortable("Conversion", ct.header, conv.length, 5);
  g.blank();

  g.heading(`Average time in stage${g.note(m.timeInStage.definition)}`, 12);
  const times = m.timeInStage.rows.map((r) => [r.stage, orNa(r.days), r.samples]);
  const tt = g.table(["Stage", "Average time", "Deals measured"], times, [undefined, DAYS, COUNT]);
  g.sortable("TimeInStage", tt.header, times.length, 3);
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
}

/** The grid as a rectangular tab, with the funnel and monthly forecast charts when they have rows. */
function reviewTab(g: ReviewGrid, m: PipelineMetrics, funnel: { at: number; first: number }, forecast: { at: number; first: number; months: number }): TabWrite {
  const cur = m.currency;
  const width = g.rows.reduce((w, r) => Math.max(w, r.length), 1);
  const values = g.rows.map((r) => (r.length === width ? r : [...r, ...Array<Cell>(width - r.length).fill("")]));
  const tab: TabWrite = {
    name: TAB_REVIEW,
    values,
    hidden: false,
    formats: g.formats,
    widths: [34, 14, 14, 16, 16, 16, 14, 12, 10].slice(0, width),
    tables: g.tables,
    links: g.links,
  };
  const n = m.pipeline.rows.length;
  if (n > 0) {
    // Stage and Reached side by side: a funnel takes its labels and values from those two columns.
    const chart: ChartSpec = {
      type: "funnel",
      title: "Deals that reached each stage",
      categories: a1Range(funnel.first, 0, n, 1),
      values: a1Range(funnel.first, 1, n, 1),
      anchor: a1(funnel.at, CHART_COL),
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      id: `${RULE_PREFIX}review`,
    };
    tab.chart = chart;
  }
  if (forecast.months > 0)
    tab.charts = [
      {
        type: "column",
        title: `Weighted forecast by close month (${cur})`,
        categories: a1Range(forecast.first, 0, forecast.months, 1),
        values: a1Range(forecast.first, 3, forecast.months, 1),
        anchor: a1(forecast.at, CHART_COL),
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        id: `${RULE_PREFIX}forecast`,
      },
    ];
  return tab;
}

export function buildReview(m: PipelineMetrics, today: string, dealsSheet?: string): TabWrite {
  const g = new ReviewGrid();
  tilesSection(g, m, today);
  const funnel = funnelSection(g, m);
  const forecast = forecastMonthSection(g, m);
  movementSection(g, m, dealsSheet);
  const { pointer, stuckNote } = weeklySection(g, m, dealsSheet);
  monthlySection(g, m, forecast.note);
  quarterlySection(g, m);

  // Follow-ups come after the pipeline's own sections so that those keep their footnote numbers.
  g.heading("Follow-ups and where we win", 14);
  activitySection(g, m);
  capacityAndSegmentsSection(g, m);
  if (pointer >= 0) {
    const at = g.rows.length;
    stuckList(g, m, stuckNote, dealsSheet);
    g.links.push({ cell: a1(pointer, 0), sheet: TAB_REVIEW, target: a1(at, 0) });
    g.blank();
  }

  g.heading("Notes", 12);
  g.notes.forEach((n, i) => g.row([`[${i + 1}] ${n}`]));
  return reviewTab(g, m, funnel, forecast);
}
