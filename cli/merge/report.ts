// What a sync run did (or, with --dry-run, would do), in words; and the conflicts file a person works from.
import { unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { toCsv } from "../io/csv.js";
import { csvStored } from "./cells.js";
import type { Change, NamedConflict, SideSummary, SyncReport } from "./run.js";
import { writeFileAtomic } from "../io/atomic.js";

const q = (s: string | null | undefined): string => (s === null || s === undefined ? "(none)" : s === "" ? "(blank)" : JSON.stringify(s));

function sideLine(s: SideSummary, dryRun: boolean): string {
  const parts: string[] = [];
  const n = (k: number, one: string, many: string): void => {
    if (k > 0) parts.push(`${k} ${k === 1 ? one : many}`);
  };
  n(s.cells, "cell changed", "cells changed");
  n(s.added, "row added", "rows added");
  n(s.removed, "row deleted", "rows deleted");
  n(s.ids, "Deal ID added", "Deal IDs added");
  if (s.columnsAdded.length > 0) parts.push(`column${s.columnsAdded.length === 1 ? "" : "s"} ${s.columnsAdded.map((c) => `"${c}"`).join(", ")} added`);
  n(s.stamped, "stage change stamped", "stage changes stamped");
  n(s.logRows, "log row", "log rows");
  const what = parts.length === 0 ? "no changes" : parts.join(", ");
  return `  ${s.label}: ${dryRun ? "would get " : ""}${what}`;
}

function changeLine(c: Change, labels: { a: string; b: string }): string {
  const to = c.to === "a" ? labels.a : labels.b;
  switch (c.kind) {
    case "add":
      return `  + ${to}  ${c.id}  new row (${c.value ?? ""})`;
    case "remove":
      return `  - ${to}  ${c.id}  row deleted`;
    case "id":
      return `  # ${to}  ${c.id}  Deal ID added`;
    case "stamp":
      return `  ~ ${to}  ${c.id}  ${c.column}: ${q(c.from)} -> ${q(c.value)} (stage changed)`;
    default:
      return `  ~ ${to}  ${c.id}  ${c.column}: ${q(c.from)} -> ${q(c.value)}`;
  }
}

export function conflictLine(c: NamedConflict, labels: { a: string; b: string }): string {
  if (c.kind === "edited-here-deleted-there") {
    const kept = c.side === "a" ? labels.a : labels.b;
    const gone = c.side === "a" ? labels.b : labels.a;
    return `  ! ${c.id}  deleted in ${gone} but edited in ${kept}: the row is kept in ${kept}`;
  }
  return `  ! ${c.id}  ${c.column}: last synced ${q(c.base)}, ${labels.a} ${q(c.a)}, ${labels.b} ${q(c.b)}`;
}

/** The report for the terminal; long lists are cut at `maxLines` each (--json has them all). */
export function renderReport(r: SyncReport, opts: { command: string; maxLines: number; conflictsPath: string | null }): string {
  const labels = { a: r.a.label, b: r.b.label };
  const arrow = opts.command === "sync" ? "<->" : "->";
  const lines: string[] = [`pipesheet ${opts.command}: ${labels.a} ${arrow} ${labels.b}${r.dryRun ? "  (dry run: nothing written)" : ""}`];
  lines.push(sideLine(r.a, r.dryRun), sideLine(r.b, r.dryRun));
  for (const n of r.notes) lines.push(`  Note: ${n}`);
  const list = <T>(title: string, items: T[], line: (x: T) => string): void => {
    if (items.length === 0) return;
    lines.push("", title);
    for (const x of items.slice(0, opts.maxLines)) lines.push(line(x));
    if (items.length > opts.maxLines) lines.push(`  … and ${items.length - opts.maxLines} more (--json lists them all)`);
  };
  if (r.dryRun) list("Changes:", r.changes, (c) => changeLine(c, labels));
  const kept = r.deletions.filter((d) => !d.propagated && d.refused === undefined);
  list(
    "Deleted on one side only (not propagated; pass --delete to delete them on the other side too):",
    kept,
    (d) => `  - ${d.id}  deleted in ${d.deletedIn === "a" ? labels.a : labels.b}, still in ${d.deletedIn === "a" ? labels.b : labels.a}`,
  );
  list(
    "Deleted on both sides (--delete):",
    r.deletions.filter((d) => d.propagated),
    (d) => `  - ${d.id}  deleted in ${d.deletedIn === "a" ? labels.a : labels.b}${r.dryRun ? ", would be deleted" : ", deleted"} in ${d.deletedIn === "a" ? labels.b : labels.a}`,
  );
  for (const kept of ["a", "b"] as const) {
    const refused = r.deletions.filter((d) => d.refused !== undefined && d.deletedIn !== kept);
    list(
      `Not deleted in ${labels[kept]} (--delete): ${refused[0]?.refused ?? ""}. Delete these rows there yourself (Excel shifts the references), then run again:`,
      refused,
      (d) => `  - row ${d.row ?? "?"}  ${d.id}  deleted in ${labels[d.deletedIn]}`,
    );
  }
  list("Conflicts settled by --prefer:", r.resolved, (c) => `${conflictLine(c, labels)}  -> took ${c.took === "a" ? labels.a : labels.b}`);
  list(
    `Conflicts (changed on both sides; each side keeps its own value${opts.conflictsPath && !r.dryRun ? `; listed in ${opts.conflictsPath}` : ""}):`,
    r.conflicts,
    (c) => conflictLine(c, labels),
  );
  if (r.conflicts.length > 0)
    lines.push("", "  To settle one, make both sides hold the value you want (edit either), or run again with --prefer first|second.");
  return `${lines.join("\n")}\n`;
}

/** The conflicts file beside the sync state: "deals.conflicts.csv" for ".deals.csv.pipesheet-sync.json". */
export function conflictsPath(statePath: string): string {
  const name = basename(statePath)
    .replace(/^\./, "")
    .replace(/\.pipesheet-sync\.json$/, "")
    .replace(/\.[^.]*$/, "");
  return join(dirname(statePath), `${name}.conflicts.csv`);
}

/** Writes the current conflicts (or removes the file when there are none). Text is neutralised like any CSV pipesheet writes. */
export async function writeConflicts(path: string, r: SyncReport, when: string): Promise<boolean> {
  if (r.conflicts.length === 0) {
    await unlink(path).catch(() => undefined);
    return false;
  }
  const rows: string[][] = [["Deal ID", "Column", "Last synced value", r.a.label, r.b.label, "Found"]];
  for (const c of r.conflicts) {
    if (c.kind === "edited-here-deleted-there")
      rows.push([c.id, "(whole row)", "", c.side === "a" ? "edited" : "deleted", c.side === "b" ? "edited" : "deleted", when]);
    else rows.push([c.id, c.column, c.base ?? "", c.a ?? "", c.b ?? "", when]);
  }
  await writeFileAtomic(path, toCsv(rows.map((row) => row.map(csvStored))));
  return true;
}
