// What is inside an .xlsx package, read from the zip's central directory, to warn about parts exceljs cannot carry over.

/** Entry names of a zip file; [] when the bytes are not a zip. */
export function zipEntryNames(buf: Uint8Array): string[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return [];
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const names: string[] = [];
  const decoder = new TextDecoder();
  for (let k = 0; k < count && at + 46 <= buf.length; k++) {
    if (view.getUint32(at, true) !== 0x02014b50) break;
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    names.push(decoder.decode(buf.subarray(at + 46, at + 46 + nameLen)));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

const KINDS: { test: RegExp; one: string; many: string }[] = [
  { test: /^xl\/charts\/chart\d+\.xml$/i, one: "chart", many: "charts" },
  { test: /^xl\/pivotTables\/pivotTable\d+\.xml$/i, one: "pivot table", many: "pivot tables" },
  { test: /^xl\/slicers\/slicer\d+\.xml$/i, one: "slicer", many: "slicers" },
  { test: /^xl\/vbaProject\.bin$/i, one: "macro project", many: "macro projects" },
  { test: /^xl\/ctrlProps\/ctrlProp\d+\.xml$/i, one: "form control", many: "form controls" },
  { test: /^xl\/threadedComments\/threadedComment\d+\.xml$/i, one: "threaded comment part", many: "threaded comment parts" },
];

/**
 * The parts of a workbook the managed copy will not have, in words ("2 charts", "1 pivot table").
 * `ownCharts` are pipesheet's own, which it draws again, so they are not counted.
 */
export function partsNotKept(names: readonly string[], ownCharts = 0): string[] {
  const out: string[] = [];
  for (const k of KINDS) {
    const n = names.filter((x) => k.test.test(x)).length - (k.one === "chart" ? ownCharts : 0);
    if (n > 0) out.push(`${n} ${n === 1 ? k.one : k.many}`);
  }
  return out;
}
