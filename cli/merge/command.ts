// pull, push and sync on two places: open them, run the sync, write the conflicts file. Prints nothing and
// returns the report; `pipesheet pull|push|sync` (cli/commands/sync.ts) prints it and ends with exit 10 on conflicts.
import { CliError } from "../errors.js";
import type { Credentials } from "../google/auth.js";
import type { ClientOptions } from "../google/client.js";
import { lazyCredentials } from "../google/credentials.js";
import { configDir } from "../google/token-store.js";
import { parseSourceRef } from "../source.js";
import { CsvSide, XlsxSide } from "./local-sides.js";
import { conflictsPath, writeConflicts } from "./report.js";
import { runSync, type SyncReport } from "./run.js";
import type { Side } from "./side.js";

export type SyncCommand = "pull" | "push" | "sync";

export interface SyncJob {
  command: SyncCommand;
  first: string;
  second: string;
  /** The day stage changes are stamped with (YYYY-MM-DD, checked). */
  today: string;
  dryRun: boolean;
  deletes: boolean;
  prefer: string | undefined;
  acceptHeader: boolean;
  /** A service-account key file, else GOOGLE_APPLICATION_CREDENTIALS or the saved sign-in. */
  key: string | undefined;
  /** Told what the sync is doing ("Reading …"), for a person watching. */
  note: (line: string) => void;
  /** Told what sign-in has to say (which account). */
  say: (line: string) => void;
  onRetry?: ClientOptions["onRetry"];
}

export interface SyncDone {
  report: SyncReport;
  /** Where the conflicts file goes, and whether this run wrote it (never on a dry run, only with conflicts). */
  conflictsPath: string;
  wroteConflicts: boolean;
}

export async function openSide(text: string, creds: () => Promise<Credentials>, onRetry?: ClientOptions["onRetry"]): Promise<Side> {
  const ref = parseSourceRef(text);
  switch (ref.kind) {
    case "csv":
      return new CsvSide(ref.path);
    case "xlsx":
      return new XlsxSide(ref.path, ref.sheet);
    case "gsheet": {
      const { SheetSide } = await import("../google/sheet-side.js");
      return new SheetSide(ref.id, ref.sheet, await creds(), onRetry ? { onRetry } : {});
    }
  }
}

function preferSide(prefer: string | undefined, a: string, b: string): "a" | "b" | null {
  if (prefer === undefined) return null;
  if (prefer === "first" || prefer === a) return "a";
  if (prefer === "second" || prefer === b) return "b";
  throw new CliError("BAD_ARGUMENTS", `--prefer ${prefer}: say "first" (${a}) or "second" (${b})`);
}

export async function syncPlaces(job: SyncJob): Promise<SyncDone> {
  const { command, first, second } = job;
  if (first.trim() === second.trim()) throw new CliError("BAD_ARGUMENTS", `${command} needs two different places; both are ${first}`);
  const prefer = preferSide(job.prefer, first, second);
  const creds = lazyCredentials(job.key, job.say);
  const a = await openSide(first, creds, job.onRetry);
  const b = await openSide(second, creds, job.onRetry);
  const workbook = (text: string): string | undefined =>
    parseSourceRef(text).kind === "xlsx"
      ? `pipesheet does not delete rows in a workbook (${text}): its formulas, names, validations and merged ranges would point at the wrong deal`
      : undefined;
  const keepRows: Partial<Record<"a" | "b", string>> = {};
  const wa = workbook(first);
  const wb = workbook(second);
  if (wa) keepRows.a = wa;
  if (wb) keepRows.b = wb;
  const report = await runSync(a, b, {
    mode: command === "sync" ? "twoway" : "oneway",
    dryRun: job.dryRun,
    deletes: job.deletes,
    prefer,
    acceptHeader: job.acceptHeader,
    today: job.today,
    configDir: configDir(),
    keepRows,
    note: job.note,
  });
  const path = conflictsPath(report.statePath);
  const wrote = job.dryRun ? false : await writeConflicts(path, report, new Date().toISOString().slice(0, 16).replace("T", " "));
  return { report, conflictsPath: path, wroteConflicts: wrote };
}
