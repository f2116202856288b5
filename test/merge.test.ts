// The three-way merge: table-driven cases, and a property test that no edit on either side ever disappears.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { merge, type BaseRows, type MergeOptions, type MergeResult, type SideEdits, type SideView } from "../cli/merge/merge.js";

const TWO_WAY: MergeOptions = { toA: true, toB: true, deletes: false, prefer: null };

function view(rows: Record<string, string[]>, width: number, missing: number[] = []): SideView {
  return { has: Array.from({ length: width }, (_, k) => !missing.includes(k)), rows: new Map(Object.entries(rows)) };
}
const base = (rows: Record<string, (string | null)[]>): BaseRows => new Map(Object.entries(rows));

/** A side's rows after the merge's edits, written out plainly (not with the merge's own code). */
function applied(v: SideView, e: SideEdits, width: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, cells] of v.rows) out.set(id, [...cells]);
  for (const c of e.set) {
    const row = out.get(c.id);
    if (!row) throw new Error(`set on a missing row ${c.id}`);
    expect(row[c.col]).toBe(c.from);
    row[c.col] = c.to;
  }
  for (const r of e.add) {
    if (out.has(r.id)) throw new Error(`add of a row that exists: ${r.id}`);
    out.set(r.id, r.cells.slice(0, width));
  }
  for (const id of e.remove) {
    if (!out.delete(id)) throw new Error(`remove of a missing row ${id}`);
  }
  return out;
}

describe("merge: one cell at a time", () => {
  const cases: { name: string; base: string | null; a: string; b: string; opts?: Partial<MergeOptions>; toA?: string; toB?: string; conflict?: boolean }[] = [
    { name: "nobody changed", base: "x", a: "x", b: "x" },
    { name: "a changed: goes to b", base: "x", a: "y", b: "x", toB: "y" },
    { name: "b changed: goes to a", base: "x", a: "x", b: "z", toA: "z" },
    { name: "both changed alike: agreed", base: "x", a: "y", b: "y" },
    { name: "both changed differently: conflict, nothing written", base: "x", a: "y", b: "z", conflict: true },
    { name: "a cleared, b untouched: clearing goes across", base: "x", a: "", b: "x", toB: "" },
    { name: "a cleared, b changed: conflict", base: "x", a: "", b: "z", conflict: true },
    { name: "never synced, different: conflict", base: null, a: "y", b: "z", conflict: true },
    { name: "never synced, a blank: b's value fills it", base: null, a: "", b: "z", toA: "z" },
    { name: "one way a->b, b changed: b keeps its edit", base: "x", a: "x", b: "z", opts: { toA: false } },
    { name: "one way a->b, both changed: conflict", base: "x", a: "y", b: "z", opts: { toA: false }, conflict: true },
    { name: "--prefer first settles a conflict", base: "x", a: "y", b: "z", opts: { prefer: "a" }, toB: "y" },
    { name: "--prefer second settles a conflict", base: "x", a: "y", b: "z", opts: { prefer: "b" }, toA: "z" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = merge(2, view({ D1: ["D1", c.a] }, 2), view({ D1: ["D1", c.b] }, 2), c.base === null ? null : base({ D1: ["D1", c.base] }), { ...TWO_WAY, ...c.opts });
      expect(m.a.set.map((s) => s.to)).toEqual(c.toA === undefined ? [] : [c.toA]);
      expect(m.b.set.map((s) => s.to)).toEqual(c.toB === undefined ? [] : [c.toB]);
      expect(m.conflicts.length).toBe(c.conflict ? 1 : 0);
      if (c.conflict) expect(m.conflicts[0]).toMatchObject({ id: "D1", col: 1, a: c.a, b: c.b, base: c.base });
    });
  }

  it("keeps the base value for a conflict, so it is found again next time", () => {
    const m = merge(2, view({ D1: ["D1", "y"] }, 2), view({ D1: ["D1", "z"] }, 2), base({ D1: ["D1", "x"] }), TWO_WAY);
    expect(m.base.get("D1")).toEqual(["D1", "x"]);
    const again = merge(2, view({ D1: ["D1", "y"] }, 2), view({ D1: ["D1", "z"] }, 2), m.base, TWO_WAY);
    expect(again.conflicts).toHaveLength(1);
  });

  it("--prefer on a one-way run whose winner is the target records the loser as agreed, so the winner goes across later", () => {
    const m = merge(2, view({ D1: ["D1", "y"] }, 2), view({ D1: ["D1", "z"] }, 2), base({ D1: ["D1", "x"] }), { toA: false, toB: true, deletes: false, prefer: "b" });
    expect(m.a.set).toEqual([]);
    expect(m.b.set).toEqual([]);
    expect(m.base.get("D1")?.[1]).toBe("y");
    const back = merge(2, view({ D1: ["D1", "y"] }, 2), view({ D1: ["D1", "z"] }, 2), m.base, TWO_WAY);
    expect(back.a.set).toEqual([{ id: "D1", col: 1, from: "y", to: "z" }]);
  });
});

describe("merge: rows", () => {
  it("adds rows new on either side to the other", () => {
    const m = merge(2, view({ D1: ["D1", "a"], D2: ["D2", "new in a"] }, 2), view({ D1: ["D1", "a"], D3: ["D3", "new in b"] }, 2), base({ D1: ["D1", "a"] }), TWO_WAY);
    expect(m.b.add).toEqual([{ id: "D2", cells: ["D2", "new in a"] }]);
    expect(m.a.add).toEqual([{ id: "D3", cells: ["D3", "new in b"] }]);
    expect([...m.base.keys()].sort()).toEqual(["D1", "D2", "D3"]);
  });

  it("reports a deletion without propagating it, and keeps it in the base", () => {
    const m = merge(2, view({ D1: ["D1", "a"], D2: ["D2", "b"] }, 2), view({ D1: ["D1", "a"] }, 2), base({ D1: ["D1", "a"], D2: ["D2", "b"] }), TWO_WAY);
    expect(m.deletions).toEqual([{ id: "D2", deletedIn: "b", propagated: false }]);
    expect(m.a.remove).toEqual([]);
    expect(m.b.add).toEqual([]);
    expect(m.base.has("D2")).toBe(true);
  });

  it("propagates a deletion with --delete", () => {
    const m = merge(2, view({ D1: ["D1", "a"], D2: ["D2", "b"] }, 2), view({ D1: ["D1", "a"] }, 2), base({ D1: ["D1", "a"], D2: ["D2", "b"] }), { ...TWO_WAY, deletes: true });
    expect(m.a.remove).toEqual(["D2"]);
    expect(m.base.has("D2")).toBe(false);
  });

  it("keeps a row deleted on one side but edited on the other, as a conflict, even with --delete", () => {
    const m = merge(2, view({ D2: ["D2", "edited"] }, 2), view({}, 2), base({ D2: ["D2", "b"] }), { ...TWO_WAY, deletes: true });
    expect(m.a.remove).toEqual([]);
    expect(m.conflicts).toEqual([expect.objectContaining({ id: "D2", kind: "edited-here-deleted-there", side: "a" })]);
  });

  it("carries a column one side lacks to it (two-way), filling the values", () => {
    const m = merge(3, view({ D1: ["D1", "a", "only in a"] }, 3), view({ D1: ["D1", "a", ""] }, 3, [2]), base({ D1: ["D1", "a", null] }), TWO_WAY);
    expect(m.b.addColumns).toEqual([2]);
    expect(m.b.set).toEqual([{ id: "D1", col: 2, from: "", to: "only in a" }]);
  });

  it("does not add a target's own column to the source on a one-way run", () => {
    const m = merge(3, view({ D1: ["D1", "a", ""] }, 3, [2]), view({ D1: ["D1", "a", "mine"] }, 3), null, { toA: false, toB: true, deletes: false, prefer: null });
    expect(m.a.addColumns).toEqual([]);
    expect(m.a.set).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------- property

interface Edit {
  side: "a" | "b";
  kind: "set" | "add" | "delete";
  row: number;
  col: number;
  value: string;
}

const VALUES = ["", "x", "y", "z", "Won", "Lost"];

describe("merge property: every edit is applied or listed as a conflict", () => {
  it("holds for random edits on both sides since the base", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(
          fc.record({
            side: fc.constantFrom("a" as const, "b" as const),
            kind: fc.constantFrom("set" as const, "set" as const, "add" as const, "delete" as const),
            row: fc.integer({ min: 0, max: 7 }),
            col: fc.integer({ min: 1, max: 3 }),
            value: fc.constantFrom(...VALUES),
          }),
          { maxLength: 14 },
        ),
        fc.boolean(),
        (n, width, edits: Edit[], deletes) => {
          const baseRows: Record<string, string[]> = {};
          for (let i = 0; i < n; i++) baseRows[`D${i}`] = [`D${i}`, ...Array.from({ length: width - 1 }, (_, k) => `v${i}.${k}`)];
          const sides = { a: structuredClone(baseRows), b: structuredClone(baseRows) };
          // What each side did, cell by cell (last edit wins on its own side), and which rows it added or deleted.
          const cellEdits = { a: new Map<string, string>(), b: new Map<string, string>() };
          const added = { a: new Set<string>(), b: new Set<string>() };
          const deleted = { a: new Set<string>(), b: new Set<string>() };
          for (const e of edits) {
            const rows = sides[e.side];
            const id = e.kind === "add" ? `N${e.side}${e.row}` : `D${e.row % Math.max(1, n)}`;
            const col = 1 + (e.col % (width - 1));
            if (e.kind === "add") {
              if (rows[id]) continue;
              rows[id] = [id, ...Array.from({ length: width - 1 }, () => e.value)];
              added[e.side].add(id);
            } else if (e.kind === "delete") {
              if (!rows[id] || added[e.side].has(id)) continue;
              delete rows[id];
              deleted[e.side].add(id);
            } else {
              const row = rows[id];
              if (!row) continue;
              row[col] = e.value;
              cellEdits[e.side].set(`${id}|${col}`, e.value);
            }
          }
          const va = view(sides.a, width);
          const vb = view(sides.b, width);
          const m: MergeResult = merge(width, va, vb, base(baseRows), { toA: true, toB: true, deletes, prefer: null });
          const finalA = applied(va, m.a, width);
          const finalB = applied(vb, m.b, width);
          const conflictCells = new Set(m.conflicts.filter((c) => c.kind === "cell").map((c) => `${c.id}|${c.col}`));
          const conflictRows = new Set(m.conflicts.filter((c) => c.kind !== "cell").map((c) => c.id));

          for (const s of ["a", "b"] as const) {
            const other = s === "a" ? "b" : "a";
            const finalOther = other === "a" ? finalA : finalB;
            const finalSelf = s === "a" ? finalA : finalB;
            for (const [key, value] of cellEdits[s]) {
              const [id, c] = key.split("|") as [string, string];
              const col = Number(c);
              if (deleted[s].has(id)) continue; // the side deleted the row it had edited
              if ((baseRows[id]?.[col] ?? null) === value) continue; // edited back to the base value: no change
              // The edit survives on its own side...
              expect(finalSelf.get(id)?.[col]).toBe(value);
              // ...and reaches the other side, or is listed as a conflict (or the row's deletion conflict).
              const reached = finalOther.get(id)?.[col] === value;
              expect(reached || conflictCells.has(key) || conflictRows.has(id)).toBe(true);
            }
            for (const id of added[s]) {
              expect(finalSelf.has(id)).toBe(true);
              const both = added[other].has(id);
              if (!both) expect(finalOther.get(id)).toEqual(finalSelf.get(id));
            }
            for (const id of deleted[s]) {
              if (deleted[other].has(id)) continue;
              const propagated = m.deletions.some((d) => d.id === id && d.propagated);
              const reported = m.deletions.some((d) => d.id === id && d.deletedIn === s);
              expect(propagated || reported || conflictRows.has(id)).toBe(true);
              if (propagated) expect(finalOther.has(id)).toBe(false);
              // A deletion never removes a row the other side edited.
              if (conflictRows.has(id)) expect(finalOther.has(id)).toBe(true);
            }
          }
          // Outside the conflicts, both sides end up equal.
          for (const [id, row] of finalA) {
            const rb = finalB.get(id);
            if (!rb) continue;
            row.forEach((v, k) => {
              if (!conflictCells.has(`${id}|${k}`)) expect(rb[k]).toBe(v);
            });
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
