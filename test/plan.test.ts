// core/plan.ts: the one interpretation of the column modes that every host applies.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRequests } from "../cli/google/plan-requests.js";
import { planToGrid } from "../cli/source.js";
import { run } from "../core/engine.js";
import { dealsWrites, type WriteBlock } from "../core/plan.js";
import type { Cell, ColumnWrite, Grid } from "../core/types.js";

const col = (over: Partial<ColumnWrite> & Pick<ColumnWrite, "col" | "mode" | "values">): ColumnWrite => ({ key: "score", header: `H${over.col}`, created: false, ...over });

/** Every written cell as "row,col" → value, with the format set on it; fails on a cell written twice. */
function cellsOf(blocks: readonly WriteBlock[]): Map<string, { value: Cell; format: string | null }> {
  const out = new Map<string, { value: Cell; format: string | null }>();
  for (const b of blocks) {
    b.values.forEach((row, i) =>
      row.forEach((v, k) => {
        if (b.keep?.[i]?.[k]) return;
        const key = `${b.row + i},${b.col + k}`;
        if (out.has(key)) throw new Error(`cell ${key} written twice`);
        out.set(key, { value: v, format: b.formats[k] ?? null });
      }),
    );
  }
  return out;
}

describe("dealsWrites", () => {
  it("writes adjacent 'all' columns as one block over every data row, with their formats and kinds", () => {
    const w = dealsWrites({
      headerRow: 2,
      rowCount: 3,
      columns: [col({ col: 5, mode: "all", values: [1, 2, 3], numberFormat: "0" }), col({ col: 6, mode: "all", values: [0.5, null, 0.25], numberFormat: "0%" })],
    });
    expect(w.cells).toEqual([{ row: 3, col: 5, values: [[1, 0.5], [2, ""], [3, 0.25]], formats: ["0", "0%"], kinds: ["number", "percent"] }]);
    expect(w.headers).toEqual([]);
  });

  it("writes a 'fill' column on the team's own column only where core gave a value, format included", () => {
    const w = dealsWrites({ headerRow: 0, rowCount: 6, columns: [col({ col: 0, mode: "fill", values: [null, "D-1", "D-2", null, null, "D-3"], numberFormat: "@" })] });
    expect(w.cells.map((b) => [b.row, b.col, b.values])).toEqual([
      [2, 0, [["D-1"], ["D-2"]]],
      [6, 0, [["D-3"]]],
    ]);
    expect(w.cells.every((b) => b.formats[0] === "@" && b.keep === undefined)).toBe(true);
  });

  it("types a date column as a date whatever its number format says", () => {
    const w = dealsWrites({ headerRow: 0, rowCount: 1, columns: [col({ col: 3, mode: "fill", values: [46000], numberFormat: "dd/mm/yyyy", kind: "date" })] });
    expect(w.cells[0]?.kinds).toEqual(["date"]);
  });

  it("past the host's limit of stretches, one block from first to last value marks the team's cells to keep", () => {
    const values: Cell[] = [null, "a", null, "b", null, "c", null];
    const w = dealsWrites({ headerRow: 0, rowCount: values.length, columns: [col({ col: 1, mode: "fill", values })] }, { maxRunsPerColumn: 2 });
    expect(w.cells).toHaveLength(1);
    expect(w.cells[0]?.row).toBe(2);
    expect(w.cells[0]?.keep).toEqual([[false], [true], [false], [true], [false]]);
  });

  it("writes the header cells of created columns, one block per stretch, and nothing below a 'header' column", () => {
    const w = dealsWrites({
      headerRow: 1,
      rowCount: 2,
      columns: [
        col({ col: 9, mode: "header", values: [null, null], created: true, header: "Need" }),
        col({ col: 10, mode: "all", values: [1, 2], created: true, header: "Score" }),
        col({ col: 12, mode: "fill", values: [null, null], created: true, header: "Deal ID" }),
      ],
    });
    expect(w.headers.map((b) => [b.row, b.col, b.values])).toEqual([
      [1, 9, [["Need", "Score"]]],
      [1, 12, [["Deal ID"]]],
    ]);
    expect([...cellsOf(w.cells).keys()].sort()).toEqual(["2,10", "3,10"]);
  });

  it("on random columns: writes exactly the cells each mode owns, each once, and formats only what it writes", () => {
    const column = fc.record({
      mode: fc.constantFrom<ColumnWrite["mode"]>("all", "fill", "header"),
      created: fc.boolean(),
      format: fc.option(fc.constantFrom("0", "@", "yyyy-mm-dd"), { nil: undefined }),
      values: fc.array(fc.option(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { nil: null, freq: 2 }), { minLength: 12, maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 6 }), fc.array(column, { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 3 }), fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), (positions, specs, headerRow, maxRuns) => {
        const rowCount = 12;
        const columns = positions.map((p, i) => {
          const s = specs[i] as (typeof specs)[number];
          return col({ col: p, mode: s.mode, created: s.created, values: s.values, ...(s.format === undefined ? {} : { numberFormat: s.format }) });
        });
        const w = dealsWrites({ headerRow, rowCount, columns }, maxRuns === undefined ? {} : { maxRunsPerColumn: maxRuns });
        const written = cellsOf(w.cells);
        const expected = new Map<string, Cell>();
        for (const c of columns) {
          if (c.mode === "header") continue;
          for (let i = 0; i < rowCount; i++) {
            const v = c.values[i] ?? null;
            if (c.mode === "all") expected.set(`${headerRow + 1 + i},${c.col}`, v ?? "");
            else if (v !== null) expected.set(`${headerRow + 1 + i},${c.col}`, v);
          }
        }
        expect(new Map([...written].map(([k, x]) => [k, x.value]))).toEqual(expected);
        for (const [key, x] of written) {
          const c = columns.find((cc) => cc.col === Number(key.split(",")[1]));
          expect(x.format).toBe(c?.numberFormat ?? null);
        }
        expect(cellsOf(w.headers).size).toBe(columns.filter((c) => c.created).length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("every host applies the same blocks", () => {
  // A sheet whose Stage entered column already exists: this run stamps a date only on a quarter of the deals
  // (the ones that moved); the rest of the column's cells are left as they are, so no host may write a value
  // or a number format into them. The plan comes from core; the stamped rows are set here to fix the pattern.
  const grid: Grid = [["Deal", "Stage", "Amount", "Stage entered"]];
  for (let i = 0; i < 40; i++) grid.push([`Deal ${i}`, "Proposal", 1000, i % 4 === 0 ? "" : "2026-10-01"]);
  const base = run({ sheetName: "Deals", deals: grid, settings: null, log: null, sheetNames: ["Deals"] }, { command: "score", today: "2026-11-26" });
  const plan = {
    ...base,
    columns: base.columns.map((c) => (c.key === "stageEntered" ? { ...c, values: grid.slice(1).map((r) => (r[3] === "" ? 46_351 : null)) } : c)),
  };
  const entered = plan.columns.find((c) => c.key === "stageEntered");
  const teamRows = new Set(grid.flatMap((r, i) => (i > 0 && r[3] !== "" ? [i] : [])));

  it("the plan keeps the team's column as a fill column", () => {
    expect(entered?.mode).toBe("fill");
    expect(entered?.created).toBe(false);
    expect(teamRows.size).toBe(30);
  });

  it("the Sheets API requests set values and formats only on the cells core stamps", () => {
    const deals = { sheetId: 7, title: "Deals", index: 0, hidden: false, rowCount: 1000, columnCount: 26, conditionalFormats: [], chartIds: [] };
    const req = planRequests(plan, { meta: { title: "T", sheets: [deals] }, deals });
    const touched = (r: { startRowIndex?: number | null; endRowIndex?: number | null; startColumnIndex?: number | null; endColumnIndex?: number | null }): number[] => {
      const rows: number[] = [];
      if ((r.startColumnIndex ?? 0) > 3 || (r.endColumnIndex ?? 99) <= 3) return rows;
      for (let i = r.startRowIndex ?? 0; i < (r.endRowIndex ?? 1000); i++) rows.push(i);
      return rows;
    };
    let formatted = 0;
    for (const r of [...req.once, ...req.repeatable]) {
      if (r.repeatCell?.range?.sheetId === 7) {
        for (const row of touched(r.repeatCell.range)) {
          expect(teamRows.has(row), `format over the team's cell D${row + 1}`).toBe(false);
          formatted++;
        }
      }
      const u = r.updateCells;
      if (u?.start?.sheetId === 7 && u.start.columnIndex !== null && u.start.columnIndex !== undefined) {
        (u.rows ?? []).forEach((row, i) => {
          const c = 3 - (u.start?.columnIndex ?? 0);
          if (c >= 0 && c < (row.values ?? []).length) expect(teamRows.has((u.start?.rowIndex ?? 0) + i), `value into the team's cell D${(u.start?.rowIndex ?? 0) + i + 1}`).toBe(false);
        });
      }
    }
    expect(formatted).toBe(10);
  });

  it("the CSV writer writes the same cells, dates as ISO days by the column's kind", () => {
    const out = planToGrid(grid, plan);
    for (let r = 1; r < grid.length; r++) {
      if (teamRows.has(r)) expect(out[r]?.[3]).toBe("2026-10-01");
      else expect(out[r]?.[3]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});
