// Any console output during a test fails it, so noise never hides a problem.
import { afterEach, beforeEach } from "vitest";

const methods = ["log", "info", "warn", "error", "debug"] as const;
let calls: string[] = [];
const originals = new Map<string, (...args: unknown[]) => void>();

beforeEach(() => {
  calls = [];
  for (const m of methods) {
    originals.set(m, console[m] as (...args: unknown[]) => void);
    console[m] = (...args: unknown[]) => {
      calls.push(`console.${m}: ${args.map(String).join(" ")}`);
    };
  }
});

afterEach(() => {
  for (const m of methods) console[m] = originals.get(m) as typeof console.log;
  if (calls.length > 0) throw new Error(`Test wrote to the console:\n${calls.join("\n")}`);
});
