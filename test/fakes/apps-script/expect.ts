// Test-side helpers: what core decides for the fake's current cells, read straight from the model.
import { run, type Command, type Grid, type RunResult, type WorkbookInput } from "../../../core/index.js";
import type { Env } from "./env.js";
import type { FakeSheet } from "./spreadsheet.js";
import { formatDate } from "./time.js";
import { VERSION } from "../../../sheets-script/src/version.js";

/** The used range as stored: dates are already serial numbers in the spreadsheet's zone. */
export function storedGrid(sheet: FakeSheet): Grid {
  const rows = sheet.lastRowQuiet();
  const cols = sheet.lastColQuiet();
  return Array.from({ length: Math.max(rows, 1) }, (_, r) => Array.from({ length: Math.max(cols, 1) }, (_, c) => sheet.raw(r, c)));
}

export const todayOf = (env: Env): string => formatDate(env.clock, env.zone, "yyyy-MM-dd");

export function inputOf(env: Env, dealsName: string): WorkbookInput {
  const deals = env.book.sheet(dealsName);
  if (!deals) throw new Error(`no ${dealsName}`);
  const settings = env.book.sheet("Pipeline Settings");
  const log = env.book.sheet("Pipeline Log");
  return {
    sheetName: deals.name,
    deals: storedGrid(deals),
    settings: settings ? storedGrid(settings) : null,
    log: log ? storedGrid(log) : null,
    sheetNames: env.book.sheets.map((s) => s.name),
  };
}

/** The plan core makes for the fake's cells as they are now, with the version the script passes. */
export function planOf(env: Env, dealsName: string, command: Command): RunResult {
  return run(inputOf(env, dealsName), { command, today: todayOf(env), version: VERSION });
}
