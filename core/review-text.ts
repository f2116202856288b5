// The review as plain text for a terminal or a log: headline, stage table, stuck deals, problems, model quality; no line wider than asked.
import { thousands, type PipelineMetrics } from "./metrics.js";
import type { Problem } from "./types.js";

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

/** Word-wraps `text` to `width`; the first line starts with `first`, the others with `indent`; words longer than a line are split. */
function wrap(text: string, width: number, first = "", indent = ""): string[] {
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
    while (lineLen + chars.length > width) {
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
const padL = (s: string, w: number): string => " ".repeat(Math.max(w - len(s), 0)) + s;
const padR = (s: string, w: number): string => s + " ".repeat(Math.max(w - len(s), 0));

export function renderReviewText(m: PipelineMetrics, problems: readonly Problem[], opts: ReviewTextOptions): string {
  const width = Math.max(Math.floor(opts.width), 1);
  const maxStuck = opts.maxStuck ?? 10;
  const cur = m.currency;
  const money = (x: number): string => `${cur} ${thousands(x)}`;
  const out: string[] = [];
  const para = (text: string, indent = ""): void => {
    out.push(...wrap(text, width, indent, indent));
  };
  // Packs " · "-separated facts onto as few lines as fit, so a fact is split only when it alone is too wide.
  const facts = (items: string[]): void => {
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
  };

  para("Pipeline Review");
  facts([
    `Open pipeline ${money(m.pipeline.total.value)} in ${thousands(m.pipeline.total.count)} deals`,
    `weighted ${money(m.pipeline.total.weighted)}`,
    `win rate ${pct(m.winRate.value)} (by ${m.winRate.basis})`,
    `${thousands(m.stuck.total)} stuck`,
  ]);
  out.push("");

  // Stage table: numbers right-aligned in fixed columns, the stage name takes what is left.
  const numW = [6, 16, 16];
  const nameW = Math.max(width - numW.reduce((a, b) => a + b + 1, 0), 4);
  const tableRow = (name: string, cells: string[]): string =>
    clip(padR(clip(oneLine(name), nameW), nameW) + cells.map((c, i) => " " + padL(c, numW[i] ?? 0)).join(""), width);
  out.push(tableRow("Stage", ["Deals", `Value ${cur}`, `Weighted ${cur}`]));
  for (const r of m.pipeline.rows) out.push(tableRow(r.stage, [thousands(r.count), thousands(r.value), thousands(r.weighted)]));
  const t = m.pipeline.total;
  out.push(tableRow("Total", [thousands(t.count), thousands(t.value), thousands(t.weighted)]));
  if (m.counts.unknownStage > 0) para(`${thousands(m.counts.unknownStage)} deals have an unknown stage and are in no row.`);
  out.push("");

  const stuck = m.stuck.rows;
  para(`Stuck deals (${thousands(m.stuck.total)})`);
  if (stuck.length === 0) para("none", "  ");
  stuck.slice(0, maxStuck).forEach((s, i) => {
    const days = s.daysInStage === null ? "" : ` · ${s.daysInStage} days`;
    const who = s.owner === "" ? "" : ` (${s.owner})`;
    out.push(...wrap(`${s.name || s.id || `row ${s.sheetRow}`}${who} · ${s.stage}${days}`, width, `${padL(String(i + 1), 3)}. `, "     "));
    out.push(...wrap(`${s.reasons.join("; ")} -> ${s.action}`, width, "     ", "     "));
  });
  if (m.stuck.total > Math.min(maxStuck, stuck.length)) para(`… and ${thousands(m.stuck.total - Math.min(maxStuck, stuck.length))} more`, "  ");
  out.push("");

  para(`Problems (${thousands(problems.length)})`);
  if (problems.length === 0) para("none", "  ");
  const shown = Math.max(Math.floor(opts.maxProblems), 0);
  for (const p of problems.slice(0, shown)) out.push(...wrap(`${p.severity} ${p.sheet}!${p.cell}: ${p.message}`, width, "  - ", "    "));
  if (problems.length > shown) para(`… and ${thousands(problems.length - shown)} more`, "  ");
  out.push("");

  // The model's message already carries its held-out figures; wrap it rather than cut it.
  para(`Win model: ${oneLine(m.model.message)}`);

  return out.map((l) => l.trimEnd()).join("\n") + "\n";
}
