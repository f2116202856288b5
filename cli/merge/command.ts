// The command-line side of pull, push and sync: open the two places, run the sync, print the report,
// write the conflicts file, and turn remaining conflicts into exit code 10.
import { dayFromIso } from "../../core/index.js";
import type { Output } from "../commands/run.js";
import { emitJson } from "../output.js";
import type { SyncCliOptions } from "../commands/sync.js";
import { localToday } from "../commands/run.js";
import { CliError } from "../errors.js";
import type { Credentials } from "../google/auth.js";
import { SYNC_EXIT } from "../google/errors.js";
import { configDir } from "../google/token-store.js";
import { parseSourceRef } from "../source.js";
import { CsvSide, XlsxSide } from "./local-sides.js";
import { conflictsPath, renderReport, writeConflicts } from "./report.js";
import { runSync, type SyncReport } from "./run.js";
import type { Side } from "./side.js";


/** The credentials, fetched once and only when a Google Sheet is involved. */
export function lazyCredentials(key: string | undefined, io: Output): () => Promise<Credentials> {
  let got: Promise<Credentials> | null = null;
  // The Google client takes a while to load: only a Google Sheet pays for it.
  return () => (got ??= import("../google/auth.js").then((m) => m.getCredentials(key ?? null, process.env, (line) => io.stderr.write(`${line}\n`))));
}

export function retryNote(io: Output): (what: string, attempt: number, waitMs: number, f: { status: number | null }) => void {
  return (what, attempt, waitMs, f) =>
    io.stderr.write(`pipesheet: ${f.status === null ? "no answer from Google" : `Google answered ${f.status}`} while trying to ${what}; trying again in ${(waitMs / 1000).toFixed(1)} s (retry ${attempt})\n`);
}

export async function openSide(text: string, creds: () => Promise<Credentials>, io: Output): Promise<Side> {
  const ref = parseSourceRef(text);
  switch (ref.kind) {
    case "csv":
      return new CsvSide(ref.path);
    case "xlsx":
      return new XlsxSide(ref.path, ref.sheet);
    case "gsheet": {
      const { SheetSide } = await import("../google/sheet-side.js");
      return new SheetSide(ref.id, ref.sheet, await creds(), { onRetry: retryNote(io) });
    }
  }
}

function preferSide(prefer: string | undefined, a: string, b: string): "a" | "b" | null {
  if (prefer === undefined) return null;
  if (prefer === "first" || prefer === a) return "a";
  if (prefer === "second" || prefer === b) return "b";
  throw new CliError("BAD_ARGUMENTS", `--prefer ${prefer}: say "first" (${a}) or "second" (${b})`);
}

export async function syncCommand(command: "pull" | "push" | "sync", first: string, second: string, opts: SyncCliOptions, io: Output): Promise<SyncReport> {
  const today = opts.today ?? localToday();
  if (dayFromIso(today) === null) throw new CliError("BAD_ARGUMENTS", `--today ${today}: give a real date as YYYY-MM-DD, such as 2026-11-26`);
  if (first.trim() === second.trim()) throw new CliError("BAD_ARGUMENTS", `${command} needs two different places; both are ${first}`);
  const prefer = preferSide(opts.prefer, first, second);
  const creds = lazyCredentials(opts.key, io);
  const a = await openSide(first, creds, io);
  const b = await openSide(second, creds, io);
  const workbook = (text: string): string | undefined =>
    parseSourceRef(text).kind === "xlsx"
      ? `pipesheet does not delete rows in a workbook (${text}): its formulas, names, validations and merged ranges would point at the wrong deal`
      : undefined;
  const keepRows: Partial<Record<"a" | "b", string>> = {};
  const wa = workbook(first);
  const wb = workbook(second);
  if (wa) keepRows.a = wa;
  if (wb) keepRows.b = wb;
  const verbose = Boolean(io.stderr.isTTY) && !opts.json;
  const report = await runSync(a, b, {
    mode: command === "sync" ? "twoway" : "oneway",
    dryRun: Boolean(opts.dryRun),
    deletes: Boolean(opts.delete),
    prefer,
    acceptHeader: Boolean(opts.acceptHeader),
    today,
    configDir: configDir(),
    keepRows,
    note: verbose ? (line) => io.stderr.write(`${line}…\n`) : () => undefined,
  });
  const conflicts = conflictsPath(report.statePath);
  const wrote = opts.dryRun ? false : await writeConflicts(conflicts, report, new Date().toISOString().slice(0, 16).replace("T", " "));
  // One document: with conflicts (exit 10) the CLI adds the error to it.
  if (opts.json) emitJson(io, { ...report, conflictsFile: wrote ? conflicts : null });
  else io.stdout.write(renderReport(report, { command, maxLines: opts.dryRun ? opts.maxLines * 5 : opts.maxLines, conflictsPath: wrote ? conflicts : null }));
  // A dry run ends with the code the real run would, so a script can test it first.
  if (report.conflicts.length > 0)
    throw new CliError(
      "CONFLICTS",
      opts.dryRun
        ? `${report.conflicts.length} conflict${report.conflicts.length === 1 ? "" : "s"} would wait for a person (dry run: nothing written)`
        : `${report.conflicts.length} conflict${report.conflicts.length === 1 ? "" : "s"} wait${report.conflicts.length === 1 ? "s" : ""} for a person (listed in ${conflicts}); everything else is in sync`,
      SYNC_EXIT.CONFLICTS,
    );
  return report;
}

