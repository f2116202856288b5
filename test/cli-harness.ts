// Helpers for the CLI tests: run the real CLI as a child process on real files in a temp folder.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { afterAll } from "vitest";
import type { WorkbookPlan } from "../core/types.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "cli", "bin.mjs");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node cli/bin.mjs ...args` (what `npx pipesheet` runs) and collects its output. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** A fresh temp folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pipesheet-cli-"));
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

export async function readBook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

/** exceljs keeps these on a worksheet but leaves them out of its types. */
export const cfOf = (ws: ExcelJS.Worksheet): ExcelJS.ConditionalFormattingOptions[] =>
  (ws as unknown as { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] }).conditionalFormattings ?? [];
export const dvOf = (ws: ExcelJS.Worksheet): Record<string, ExcelJS.DataValidation | undefined> =>
  (ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation | undefined> } }).dataValidations.model;

/** The header row's texts by column (1-based col -> text). */
export function headerMap(ws: ExcelJS.Worksheet, row = 1): Map<string, number> {
  const m = new Map<string, number>();
  ws.getRow(row).eachCell((cell, col) => {
    if (typeof cell.value === "string") m.set(cell.value, col);
  });
  return m;
}

/** A plan for the deals sheet "Deals" that writes nothing but what `over` gives (for the .xlsx writer's tests). */
export function workbookPlan(over: Partial<WorkbookPlan>): WorkbookPlan {
  return {
    sheet: "Deals",
    headerRow: 0,
    rowCount: 0,
    columns: [],
    conditionalFormats: [],
    validations: [],
    tabs: [],
    logAppend: [],
    summary: {} as WorkbookPlan["summary"],
    problems: [],
    ...over,
  };
}
