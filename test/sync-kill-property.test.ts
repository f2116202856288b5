// Property: random edits on both sides of a CSV <-> CSV pair since the last sync, then a sync killed with
// SIGKILL at a random write step, then run again: it ends exactly as a sync that was never killed, every
// deal is on each side once, every new row made it across once, and every one-sided edit is on both sides.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvValue } from "../cli/merge/cells.js";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import { bundleCli, namesIn, runBundled, stateOf } from "./helpers/kill.js";

let h: Harness;
let bundle: string;
beforeAll(async () => {
  [h, bundle] = await Promise.all([startHarness(), bundleCli()]);
});
afterAll(async () => {
  await h.server.stop();
  rmSync(bundle, { force: true });
});

const HEADER = ["Deal ID", "Deal", "Stage", "Value", "Owner"];
const BASE: string[][] = Array.from({ length: 20 }, (_, i) => [`D-${String(i + 1).padStart(6, "0")}`, `Deal ${i + 1}`, ["Lead", "Proposal", "Won"][i % 3] as string, String(100 * (i + 1)), `Owner ${i % 4}`]);
const csvText = (rows: string[][]): string => `${[HEADER, ...rows].map((r) => r.join(",")).join("\r\n")}\r\n`;
const rowsOf = (text: string): string[][] =>
  text
    .split("\r\n")
    .slice(1)
    .filter((l) => l !== "")
    // Values as sync reads them: a value pipesheet wrote with a guarding apostrophe is the value without it.
    .map((l) => l.split(",").map(csvValue));

type Op = { kind: "set"; row: number; col: 2 | 3 | 4; value: string } | { kind: "add"; name: string } | { kind: "delete"; row: number };
const op = (side: string): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({ kind: fc.constant("set" as const), row: fc.nat(19), col: fc.constantFrom(2 as const, 3 as const, 4 as const), value: fc.constantFrom("Negotiation", "Lost", "777", "-$1.200", "Zed", "+1 call back") }),
    fc.record({ kind: fc.constant("add" as const), name: fc.integer({ min: 1, max: 999 }).map((k) => `New ${side} ${k}`) }),
    fc.record({ kind: fc.constant("delete" as const), row: fc.nat(19) }),
  );

interface Edited {
  rows: string[][];
  added: Set<string>;
  deleted: Set<string>;
  /** Deal ID + column -> value, for the cells this side changed (last write wins). */
  set: Map<string, string>;
}

function apply(ops: Op[]): Edited {
  const rows = BASE.map((r) => r.slice());
  const out: Edited = { rows, added: new Set(), deleted: new Set(), set: new Map() };
  for (const o of ops) {
    if (o.kind === "add") {
      if (out.added.has(o.name)) continue;
      out.added.add(o.name);
      rows.push(["", o.name, "Lead", "1", "New"]);
    } else {
      const original = rows.filter((r) => r[0] !== "");
      const target = original[o.row % Math.max(1, original.length)];
      if (!target) continue;
      if (o.kind === "delete") {
        out.deleted.add(target[0] as string);
        rows.splice(rows.indexOf(target), 1);
      } else if (target[o.col] !== o.value) {
        target[o.col] = o.value;
        out.set.set(`${target[0] as string}|${o.col}`, o.value);
      }
    }
  }
  return out;
}

describe("sync killed at a random step after random edits on both sides", () => {
  it("converges on the uninterrupted result; nothing lost, nothing doubled", { timeout: 180_000 }, async () => {
    const root = mkdtempSync(join(h.dir, "prop-"));
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op("A"), { maxLength: 8 }),
        fc.array(op("B"), { maxLength: 8 }),
        fc.constantFrom("before-rename", "after-rename"),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (opsA, opsB, step, n, deletes) => {
          const dir = join(root, `r${++runs}`);
          mkdirSync(dir);
          const a = join(dir, "a.csv");
          const b = join(dir, "b.csv");
          const args = ["sync", a, b, "--today", "2026-11-26", ...(deletes ? ["--delete"] : [])];
          writeFileSync(a, csvText(BASE));
          writeFileSync(b, csvText(BASE));
          expect((await runInProcess(args, h.env)).code).toBe(0);
          const ea = apply(opsA);
          const eb = apply(opsB);
          const state = join(dir, ".a.csv.pipesheet-sync.json");
          const saved = { a: csvText(ea.rows), b: csvText(eb.rows), state: readFileSync(state) };
          const restore = (): void => {
            for (const name of namesIn(dir)) rmSync(join(dir, name));
            writeFileSync(a, saved.a);
            writeFileSync(b, saved.b);
            writeFileSync(state, saved.state);
          };
          const outcome = (): unknown => ({ a: readFileSync(a, "utf8"), b: readFileSync(b, "utf8"), state: stateOf(state), names: namesIn(dir) });
          restore();
          const clean = await runInProcess(args, h.env);
          const want = outcome();
          restore();
          const cut = await runBundled(bundle, args, h.env, { killAt: `${step}:${n}` });
          expect(cut.signal === "SIGKILL" || cut.code === clean.code).toBe(true);
          const again = await runInProcess(args, h.env);
          expect({ code: again.code, outcome: outcome() }).toEqual({ code: clean.code, outcome: want });

          const fa = rowsOf(readFileSync(a, "utf8"));
          const fb = rowsOf(readFileSync(b, "utf8"));
          for (const rows of [fa, fb]) {
            const ids = rows.map((r) => r[0]);
            expect(new Set(ids).size).toBe(ids.length);
            expect(ids.every((id) => id !== "")).toBe(true);
            for (const name of [...ea.added, ...eb.added]) expect(rows.filter((r) => r[1] === name).length).toBe(1);
          }
          // A cell changed on one side only, in a deal both sides still have, is on both sides.
          const byId = (rows: string[][]): Map<string, string[]> => new Map(rows.map((r) => [r[0] as string, r]));
          const [ma, mb] = [byId(fa), byId(fb)];
          for (const [mine, theirs] of [
            [ea, eb],
            [eb, ea],
          ] as const) {
            for (const [k, v] of mine.set) {
              const [id, col] = k.split("|") as [string, string];
              if (theirs.set.has(k) || !ma.has(id) || !mb.has(id)) continue;
              expect({ k, a: ma.get(id)?.[Number(col)], b: mb.get(id)?.[Number(col)] }).toEqual({ k, a: v, b: v });
            }
          }
          rmSync(dir, { recursive: true });
        },
      ),
      { numRuns: 8 },
    );
  });
});
