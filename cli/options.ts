// What several commands' options share: whole-number and width parsers, and the day they work as of.
// Nothing here loads core at import time, so `--help` stays fast.
import { InvalidArgumentError } from "commander";
import { CliError } from "./errors.js";

/** A parser for a count option, such as --max-problems; `example` is the number its error suggests. */
export const countOption =
  (example: number) =>
  (v: string): number => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`give a whole number, such as ${example}.`);
    return Number(v);
  };

/** --max-problems and the like: a whole number (suggesting 10). */
export const parseCount = countOption(10);

export function parseWidth(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 20) throw new InvalidArgumentError("give a whole number of columns, 20 or more, such as 100.");
  return Number(v);
}

/** Today in the machine's time zone, as core expects it. */
export function localToday(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** --today when given (a real YYYY-MM-DD, else exit 2), else today. Loads core, so only from a command's action. */
export async function todayOption(today: string | undefined): Promise<string> {
  const { dayFromIso } = await import("../core/index.js");
  const day = today ?? localToday();
  if (dayFromIso(day) === null) throw new CliError("BAD_ARGUMENTS", `--today ${day}: give a real date as YYYY-MM-DD, such as 2026-11-26`);
  return day;
}
