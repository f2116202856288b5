// Groups queued Excel calls into round trips whose request JSON stays under the budget: one sync per chunk.
import type { Cell } from "../../core/index.js";
import { toExcelValue, type ExcelValue } from "./cell-text.js";
import { cellBytes, stringBytes } from "./json-size.js";

/** Allowance per call for the object path and action envelope Office.js adds around the arguments. */
export const CALL_OVERHEAD = 512;

export interface Op {
  bytes: number;
  run(ctx: Excel.RequestContext): void;
}

/** A rectangle of cells to write: rows × width, with one number format per column or none. */
export interface Block {
  sheet: string;
  row: number;
  col: number;
  rows: readonly (readonly Cell[])[];
  width: number;
  /** Per column: a number format to set before the values, or null to leave the format alone. */
  formats: readonly (string | null)[] | null;
  /** Per column: true when its strings are formulas, written as they are rather than protected as text. */
  formulas?: readonly boolean[];
}

const GENERAL = "General";

export class Packer {
  readonly chunks: Op[][] = [[]];
  private used = 0;
  largestChunk = 0;

  constructor(readonly budget: number) {}

  private room(bytes: number): void {
    const current = this.chunks[this.chunks.length - 1] as Op[];
    if (current.length > 0 && this.used + bytes > this.budget) {
      this.chunks.push([]);
      this.used = 0;
    }
  }

  add(op: Op): void {
    this.room(op.bytes);
    (this.chunks[this.chunks.length - 1] as Op[]).push(op);
    this.used += op.bytes;
    this.largestChunk = Math.max(this.largestChunk, this.used);
  }

  /** Adds a block, cut at row boundaries wherever the current chunk would overflow. */
  addBlock(b: Block): void {
    const { width } = b;
    const text = b.formats?.map((f) => f === "@") ?? null;
    // A row of formats as JSON, as sent (a null is sent as "General"): brackets, the commas between cells,
    // and the comma after the row.
    const formatRowBytes = b.formats ? b.formats.reduce((n, f) => n + stringBytes(f ?? GENERAL) + 1, 2) : 0;
    let start = 0;
    let seg: ExcelValue[][] = [];
    let segBytes = CALL_OVERHEAD;
    const flush = (): void => {
      if (seg.length === 0) return;
      const values = seg;
      const row = b.row + start;
      const formats = b.formats;
      this.add({
        bytes: segBytes,
        run: (ctx) => {
          const range = ctx.workbook.worksheets.getItem(b.sheet).getRangeByIndexes(row, b.col, values.length, width);
          // The format goes first, so text-formatted cells take strings as they are.
          if (formats) range.numberFormat = values.map(() => formats.map((f) => f ?? GENERAL));
          range.values = values;
        },
      });
      start += seg.length;
      seg = [];
      segBytes = CALL_OVERHEAD;
    };
    for (let i = 0; i < b.rows.length; i++) {
      const src = b.rows[i] as readonly Cell[];
      const out: ExcelValue[] = new Array<ExcelValue>(width);
      let bytes = 2 + width + formatRowBytes;
      for (let c = 0; c < width; c++) {
        const cell = src[c];
        const v = b.formulas?.[c] === true && typeof cell === "string" ? cell : toExcelValue(cell, text?.[c] ?? false);
        out[c] = v;
        bytes += cellBytes(v);
      }
      if (this.used + segBytes + bytes > this.budget) {
        // Start the next round trip: close this piece (if any) and open a fresh chunk.
        flush();
        this.room(this.budget + 1);
      }
      seg.push(out);
      segBytes += bytes;
    }
    flush();
  }
}
