// A1 ranges of the plan as 0-based rectangles.
import { parseA1 } from "../../core/index.js";

export interface Box {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

/** "A2:P1400" or "B7" → box; throws on anything else, since plan ranges are always plain A1. */
export function parseRange(range: string): Box {
  const [a, b = a] = range.split(":");
  const p = parseA1(a ?? "");
  const q = parseA1(b ?? "");
  if (!p || !q) throw new Error(`Not an A1 range: ${range}`);
  const row = Math.min(p.row, q.row);
  const col = Math.min(p.col, q.col);
  return { row, col, rows: Math.abs(q.row - p.row) + 1, cols: Math.abs(q.col - p.col) + 1 };
}

/** "B7:C9" or "B7" from a changed-event address such as "Deals!B7:C9". */
export function parseEventAddress(address: string): Box | null {
  const bang = address.lastIndexOf("!");
  try {
    return parseRange(bang >= 0 ? address.slice(bang + 1) : address);
  } catch {
    return null;
  }
}
