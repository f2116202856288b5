// Exact UTF-8 byte length of a cell as JSON, so writes can be sized to Excel's request limit without stringifying.

/** Bytes JSON.stringify(s) takes in UTF-8. */
export function stringBytes(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
    else if (c < 0x20) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6; // a lone surrogate is escaped as \uXXXX
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

/** Bytes one written cell value takes in the request JSON. */
export function cellBytes(v: string | number | boolean): number {
  if (typeof v === "string") return stringBytes(v);
  if (typeof v === "number") return String(v).length;
  return v ? 4 : 5;
}

/** Bytes of a 2-D array of cells as JSON: brackets and commas included. */
export function gridBytes(rows: readonly (readonly (string | number | boolean)[])[]): number {
  let n = 2 + Math.max(0, rows.length - 1);
  for (const row of rows) {
    n += 2 + Math.max(0, row.length - 1);
    for (const v of row) n += cellBytes(v);
  }
  return n;
}
