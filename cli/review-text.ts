// The review as plain text for a terminal or a log: headline, stage table, stuck deals, problems, model quality; no line wider than asked.
// The CLI's one word-wrap is here too. Terminal text only: the pane, the sidebar and the Review tab lay out their own cells from core.
import { count, thousands, type PipelineMetrics, type Problem } from "../core/index.js";

export interface ReviewTextOptions {
  width: number;
  maxProblems: number;
  /** Stuck deals to list before "… and N more"; 10 when left out. */
  maxStuck?: number;
}

const SPACES = /\s+/;
const SPACES_ALL = /\s+/g;

/** Tabs and line breaks inside a cell would break the layout; one space stands in for any run of white space. */
const oneLine = (s: string): string => s.replace(SPACES_ALL, " ").trim();

const len = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Cuts to `width` code points, marking the cut with "…". */
function clip(s: string, width: number): string {
  if (len(s) <= width) return s;
  if (width <= 1) return Array.from(s).slice(0, Math.max(width, 0)).join("");
  return `${Array.from(s).slice(0, width - 1).join("")}…`;
}

/**
 * Word-wraps `text` to `width` (in code points); the first line starts with `first`, the others with `indent`.
 * A word longer than a line is split, or with `splitLong` false kept whole on its own line (a path in a note).
 */
export function wrap(text: string, width: number, first = "", indent = "", splitLong = true): string[] {
  // A prefix that leaves no room for text is dropped rather than overflowing the width.
  const lead = len(first) < width ? first : "";
  const hang = len(indent) < width ? indent : "";
  const lines: string[] = [];
  let line = lead;
  let lineLen = len(lead);
  let empty = true;
  for (const word of text.split(SPACES)) {
    if (word === "") continue;
    const wordLen = len(word);
    if (!empty && lineLen + 1 + wordLen <= width) {
      line += ` ${word}`;
      lineLen += 1 + wordLen;
      continue;
    }
    if (!empty) {
      lines.push(line);
      line = hang;
      lineLen = len(hang);
    }
    let chars = Array.from(word);
    while (splitLong && lineLen + chars.length > width) {
      const room = width - lineLen;
      lines.push(line + chars.slice(0, room).join(""));
      chars = chars.slice(room);
      line = hang;
      lineLen = len(hang);
    }
    line += chars.join("");
    lineLen += chars.length;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

const pct = (x: number | null): string => (x === null ? "n/a" : `${Math.round(x * 100)}%`);
const TOP_OWNERS = 3;
const padL = (s: string, w: number): string => " ".repeat(Math.max(w - len(s), 0)) + s;
const padR = (s: string, w: number): string => s + " ".repeat(Math.max(w - len(s), 0));

/** The review as terminal text: each section below in turn, each ending with a blank line, and the win model's message last. */
export function renderReviewText(m: PipelineMetrics, problems: readonly Problem[], opts: ReviewTextOptions): string {
  const width = Math.max(Math.floor(opts.width), 1);
  const out: string[] = [
    ...headlineText(m, width),
    ...stageTableText(m, width),
    ...keyFiguresText(m, width),
    ...changesText(m, width),
    ...stuckText(m, width, opts.maxStuck ?? 10),
    ...followUpText(m, width),
    ...problemsText(problems, width, opts.maxProblems),
    // The model's message already carries its held-out figures; wrap it rather than cut it.
    ...wrap(`Win model: ${oneLine(m.model.message)}`, width),
  ];
  return out.map((l) => l.trimEnd()).join("\n") + "\n";
}

/** Packs " · "-separated facts onto as few lines as fit, so a fact is split only when it alone is too wide. */
function facts(items: string[], width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const raw of items) {
    const item = oneLine(raw);
    const next = line === "" ? item : `${line} · ${item}`;
    if (len(next) <= width) line = next;
    else {
      if (line !== "") out.push(line);
      if (len(item) <= width) line = item;
      else {
        const parts = wrap(item, width);
        line = parts.pop() ?? "";
        out.push(...parts);
      }
    }
  }
  if (line !== "") out.push(line);
  return out;
}

/** A table line: numbers right-aligned in the fixed columns `numW`, the name takes what is left of `width`. */
function tableLine(name: string, cells: string[], numW: number[], width: number): string {
  const nameW = Math.max(width - numW.reduce((a, b) => a + b + 1, 0), 4);
  return clip(padR(clip(oneLine(name), nameW), nameW) + cells.map((c, i) => " " + padL(c, numW[i] ?? 0)).join(""), width);
}

/** The title and the headline facts: open pipeline, weighted, win rate, stuck deals. */
function headlineText(m: PipelineMetrics, width: number): string[] {
  const money = (x: number): string => `${m.currency} ${thousands(x)}`;
  return [
    ...wrap("Pipeline Review", width),
    ...facts(
      [
        `Open pipeline ${money(m.pipeline.total.value)} in ${count(m.pipeline.total.count, "deal")}`,
        `weighted ${money(m.pipeline.total.weighted)}`,
        `win rate ${pct(m.winRate.value)} (by ${m.winRate.basis})`,
        `${m.stuck.total.toLocaleString("en-US")} stuck`,
      ],
      width,
    ),
    "",
  ];
}

/** The stage table with its total row, and the deals of an unknown stage that are in no row. */
function stageTableText(m: PipelineMetrics, width: number): string[] {
  const cur = m.currency;
  const numW = [6, 16, 16];
  const out: string[] = [tableLine("Stage", ["Deals", `Value ${cur}`, `Weighted ${cur}`], numW, width)];
  for (const r of m.pipeline.rows) out.push(tableLine(r.stage, [thousands(r.count), thousands(r.value), thousands(r.weighted)], numW, width));
  const t = m.pipeline.total;
  out.push(tableLine("Total", [String(t.count), thousands(t.value), thousands(t.weighted)], numW, width));
  const unknown = m.counts.unknownStage;
  if (unknown > 0) out.push(...wrap(`${count(unknown, "deal")} ${unknown === 1 ? "has" : "have"} an unknown stage and ${unknown === 1 ? "is" : "are"} in no row.`, width));
  out.push("");
  return out;
}

/** The monthly figures a CLI user would otherwise only find in --json, and the top owners by won value. */
function keyFiguresText(m: PipelineMetrics, width: number): string[] {
  const cur = m.currency;
  const money = (x: number): string => `${cur} ${thousands(x)}`;
  const cycle = m.cycle.days === null ? "n/a" : `${Math.round(m.cycle.days)} days`;
  const out: string[] = [
    ...wrap("Monthly key figures", width),
    ...facts(
      [
        `Average deal size ${m.dealSize.value === null ? "n/a" : money(m.dealSize.value)}`,
        `sales cycle ${cycle} (${m.cycle.basis} deals)`,
        `${count(m.counts.won, "deal")} won, ${count(m.counts.lost, "deal")} lost`,
      ],
      width,
    ),
  ];
  const top = m.owners.rows.filter((o) => o.won > 0).sort((a, b) => b.wonValue - a.wonValue || b.won - a.won).slice(0, TOP_OWNERS);
  if (top.length > 0) {
    const ownerW = [5, 16];
    out.push(tableLine("Top owners by won value", ["Won", `Value ${cur}`], ownerW, width));
    for (const o of top) out.push(tableLine(o.owner || "(no owner)", [thousands(o.won), thousands(o.wonValue)], ownerW, width));
  }
  out.push("");
  return out;
}

/** The first `maxStuck` stuck deals, numbered, each with its reasons and action, and how many more there are. */
function stuckText(m: PipelineMetrics, width: number, maxStuck: number): string[] {
  const stuck = m.stuck.rows;
  const out: string[] = [...wrap(`Stuck deals (${thousands(m.stuck.total)})`, width)];
  if (stuck.length === 0) out.push(...wrap("none", width, "  ", "  "));
  // A count below 0 (or not whole) lists none (or the whole part), never "all but the last few" as slice would.
  const shown = Math.min(stuck.length, Math.max(0, Math.floor(Number.isFinite(maxStuck) ? maxStuck : stuck.length)));
  stuck.slice(0, shown).forEach((s, i) => {
    const days = s.daysInStage === null ? "" : ` · ${s.daysInStage} days`;
    const who = s.owner === "" ? "" : ` (${s.owner})`;
    out.push(...wrap(`${s.name || s.id || `row ${s.sheetRow}`}${who} · ${s.stage}${days}`, width, `${padL(String(i + 1), 3)}. `, "     "));
    out.push(...wrap(`${s.reasons.join("; ")} -> ${s.action}`, width, "     ", "     "));
  });
  if (m.stuck.total > shown) out.push(...wrap(`… and ${thousands(m.stuck.total - shown)} more`, width, "  ", "  "));
  out.push("");
  return out;
}

/** The problems by severity (the same error count as the headline's "cells need fixing"), the first `maxProblems` of them listed. */
function problemsText(problems: readonly Problem[], width: number, maxProblems: number): string[] {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.filter((p) => p.severity === "warning").length;
  const out: string[] = [
    ...wrap(problems.length === 0 ? "Problems (0)" : `Problems (${problems.length}): ${count(errors, "error")}, ${count(warnings, "warning")}, ${count(problems.length - errors - warnings, "note")}`, width),
  ];
  if (problems.length === 0) out.push(...wrap("none", width, "  ", "  "));
  const shown = Math.max(Math.floor(maxProblems), 0);
  for (const p of problems.slice(0, shown)) out.push(...wrap(`${p.severity} ${p.sheet}!${p.cell}: ${p.message}`, width, "  - ", "    "));
  if (problems.length > shown) out.push(...wrap(`… and ${thousands(problems.length - shown)} more`, width, "  ", "  "));
  out.push("");
  return out;
}

const days = (x: number | null): string => (x === null ? "n/a" : `${Math.round(x * 10) / 10}`);

/** The week's activity per person, reps over or under capacity, and the segments won most; each block ends with a blank line. */
export function followUpText(m: PipelineMetrics, width: number): string[] {
  const out: string[] = [];
  const para = (text: string, indent = ""): void => {
    out.push(...wrap(oneLine(text), width, indent, indent));
  };
  const a = m.activity;
  if (a.present && a.activities > 0) {
    para(`Activity ${a.week.from} to ${a.week.to} (the week before in brackets)`);
    for (const r of [...a.byOwner, a.team])
      para(`${r.owner}: ${r.contacts} contacts (${r.previous.contacts}) · ${r.appointments} appointments (${r.previous.appointments}) · rate ${pct(r.appointmentRate)} (${pct(r.previous.appointmentRate)})`, "  ");
    const rt = a.responseTime;
    para(`Lead response: mean ${days(rt.meanDays)} days, median ${days(rt.medianDays)} days over ${rt.deals} deals`, "  ");
    out.push("");
  }
  const flagged = m.capacity.rows.filter((r) => r.flag === "over" || r.flag === "under");
  if (flagged.length > 0) {
    para(`Capacity ${m.capacity.period.from} to ${m.capacity.period.to}`);
    for (const r of flagged) para(`${r.owner} (${r.role}) ${r.flag}: ${r.openDeals} open deals of ${r.openCapacity ?? "n/a"}, ${r.activities} activities of ${r.activityCapacity ?? "n/a"}`, "  ");
    out.push("");
  }
  const tables = m.segments.tables.filter((t) => t.present && t.rows.length > 0);
  if (tables.length > 0) {
    para(`Where we win (overall ${pct(m.segments.overall.winRate)}; ranked with ${m.segments.minClosed}+ closed deals)`);
    for (const t of tables) {
      const best = t.rows.find((r) => r.ranked);
      para(best ? `${t.by}: ${best.value} ${pct(best.winRate)} of ${best.won + best.lost} closed, lift ${best.lift === null ? "n/a" : `${best.lift.toFixed(2)}x`}` : `${t.by}: too few closed deals to rank`, "  ");
    }
    out.push("");
  }
  return out;
}

/** "Since last review" and the forecast range, a few lines each; empty-handed runs (no earlier review) show only the range. */
function changesText(m: PipelineMetrics, width: number): string[] {
  const out: string[] = [];
  const money = (x: number): string => `${m.currency} ${thousands(x)}`;
  const mv = m.movement;
  if (mv !== null) {
    out.push(...wrap(`Since ${mv.since}`, width));
    const steps: [string, number, number | null][] = [
      ["Start", mv.start.value, mv.start.count],
      ["+ New", mv.new.value, mv.new.count],
      ["+ Increased", mv.increased.value, null],
      ["- Decreased", -mv.decreased.value, null],
      ["- Won", -mv.won.value, mv.won.count],
      ["- Lost", -mv.lost.value, mv.lost.count],
      ["+/- Other", mv.other.value, mv.other.count],
      ["= End", mv.end.value, mv.end.count],
    ];
    for (const [label, value, count] of steps)
      out.push(clip(`  ${padR(label, 12)}${padL(thousands(value), 16)}${count === null ? "" : padL(`${count} deals`, 12)}`, width));
    const names = (deals: readonly { name: string }[], total: number): string =>
      total === 0 ? "none" : `${deals.slice(0, 3).map((d) => oneLine(d.name)).join(", ")}${total > 3 ? ` and ${total - 3} more` : ""}`;
    out.push(...wrap(`Advanced ${mv.advanced.count}: ${names(mv.advanced.deals, mv.advanced.count)}`, width, "  ", "    "));
    out.push(...wrap(`Moved back ${mv.movedBack.count}: ${names(mv.movedBack.deals, mv.movedBack.count)}`, width, "  ", "    "));
    out.push(...wrap(`Close pushed ${mv.pushed.count}: ${names(mv.pushed.deals.map((d) => ({ name: `${d.name} (${d.pushes ?? 0}x)` })), mv.pushed.count)}`, width, "  ", "    "));
    out.push(...wrap(`Quiet ${mv.quiet.count}: ${names(mv.quiet.deals, mv.quiet.count)}`, width, "  ", "    "));
    out.push("");
  }
  const t = m.forecastRange.total;
  out.push(...wrap(`Forecast range (won value of the ${t.deals} open deals): P10 ${money(t.p10)} · P50 ${money(t.p50)} · P90 ${money(t.p90)} · commit ${money(t.commit)} · best case ${money(t.bestCase)}`, width, "", "  "));
  out.push("");
  return out;
}
