// A WorkbookPlan as Sheets API batchUpdate requests, and those requests packed into as few bodies as the
// 2 MB guidance allows. Requests that are not safe to repeat (adding tabs, rules, charts, appending log rows)
// come first, so every later body holds only fixed-range writes and can be retried.
import type { sheets_v4 } from "googleapis/build/src/apis/sheets/index.js";
import { dayFromDate, dealsWrites, excelSerialFromDay, parseA1, RULE_PREFIX, type Cell, type TabFormat, type TabWrite, type WorkbookPlan } from "../../core/index.js";
import { chunkRows, PAYLOAD_LIMIT, type Request, type SheetMeta, type SpreadsheetMeta } from "./client.js";
import { nextSheetId } from "./sheet-side.js";

type CellData = sheets_v4.Schema$CellData;
type GridRange = sheets_v4.Schema$GridRange;

/** Request kinds that give the same result when sent twice. */
const IDEMPOTENT = new Set(["updateCells", "repeatCell", "setDataValidation", "updateSheetProperties", "updateDimensionProperties", "setBasicFilter"]);
export const isIdempotent = (r: Request): boolean => Object.keys(r).every((k) => IDEMPOTENT.has(k));

export const isOwnRule = (rule: sheets_v4.Schema$ConditionalFormatRule): boolean =>
  (rule.booleanRule?.condition?.values ?? []).some((v) => (v.userEnteredValue ?? "").includes(`"${RULE_PREFIX}`));


export function extendedValue(v: Cell): sheets_v4.Schema$ExtendedValue | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  if (typeof v === "number") return Number.isFinite(v) ? { numberValue: v } : undefined;
  if (typeof v === "boolean") return { boolValue: v };
  if (v instanceof Date) return { numberValue: excelSerialFromDay(dayFromDate(v)) };
  // stringValue is stored as typed text: a value starting with "=" never becomes a formula.
  return { stringValue: v };
}

const cellOf = (v: Cell): CellData => {
  const ev = extendedValue(v);
  return ev ? { userEnteredValue: ev } : {};
};

export function numberFormat(pattern: string): sheets_v4.Schema$NumberFormat {
  if (pattern === "@") return { type: "TEXT", pattern };
  if (/[ymd]/i.test(pattern.replace(/"[^"]*"/g, ""))) return { type: "DATE", pattern };
  if (pattern.includes("%")) return { type: "PERCENT", pattern };
  return { type: "NUMBER", pattern };
}

export function color(hex: string): sheets_v4.Schema$Color {
  const h = hex.replace(/^#/, "");
  const n = (i: number): number => Math.round((parseInt(h.slice(i, i + 2), 16) / 255) * 1000) / 1000;
  return { red: n(0), green: n(2), blue: n(4) };
}

/** "A2:P1400", "A5", "D:D" on a sheet as a GridRange (end exclusive). */
export function gridRange(sheetId: number, a1: string): GridRange {
  const [x, y] = a1.split(":");
  const whole = (s: string): boolean => /^[A-Za-z]+$/.test(s);
  if (x && whole(x)) {
    const tl = parseA1(`${x}1`);
    const br = parseA1(`${y ?? x}1`);
    return { sheetId, startColumnIndex: tl?.col ?? 0, endColumnIndex: (br?.col ?? 0) + 1 };
  }
  const tl = parseA1(x ?? "A1") ?? { row: 0, col: 0 };
  const br = parseA1(y ?? x ?? "A1") ?? tl;
  return { sheetId, startRowIndex: tl.row, endRowIndex: br.row + 1, startColumnIndex: tl.col, endColumnIndex: br.col + 1 };
}

export interface PlanTarget {
  meta: SpreadsheetMeta;
  deals: SheetMeta;
}

export interface PlannedRequests {
  /** Not safe to repeat: go first, in bodies that are never retried. */
  once: Request[];
  /** Fixed-range writes: safe to retry. */
  repeatable: Request[];
}

function rowChunks(sheetId: number, row: number, col: number, rows: CellData[][], fields: string, limit: number): Request[] {
  let start = row;
  // Sized as the RowData objects they are sent as, so the request's own JSON stays under the limit.
  return chunkRows(
    rows.map((values) => ({ values })),
    limit - 400,
  ).map((chunk) => {
    const r: Request = { updateCells: { start: { sheetId, rowIndex: start, columnIndex: col }, rows: chunk, fields } };
    start += chunk.length;
    return r;
  });
}

/** Owned deals columns: exactly the blocks core/plan.ts decides, each number format over exactly its block's cells. */
function columnRequests(plan: WorkbookPlan, sheetId: number, limit: number): Request[] {
  const out: Request[] = [];
  const writes = dealsWrites(plan);
  for (const b of [...writes.headers, ...writes.cells]) {
    out.push(...rowChunks(sheetId, b.row, b.col, b.values.map((r) => r.map(cellOf)), "userEnteredValue", limit));
    b.formats.forEach((f, k) => {
      if (f === null) return;
      out.push({
        repeatCell: {
          range: { sheetId, startRowIndex: b.row, endRowIndex: b.row + b.values.length, startColumnIndex: b.col + k, endColumnIndex: b.col + k + 1 },
          cell: { userEnteredFormat: { numberFormat: numberFormat(f) } },
          fields: "userEnteredFormat.numberFormat",
        },
      });
    });
  }
  return out;
}

function formatRequest(sheetId: number, f: TabFormat): Request | null {
  const fmt: sheets_v4.Schema$CellFormat = {};
  const fields: string[] = [];
  const text: sheets_v4.Schema$TextFormat = {};
  if (f.bold !== undefined) {
    text.bold = f.bold;
    fields.push("userEnteredFormat.textFormat.bold");
  }
  if (f.italic !== undefined) {
    text.italic = f.italic;
    fields.push("userEnteredFormat.textFormat.italic");
  }
  if (f.fontSize !== undefined) {
    text.fontSize = f.fontSize;
    fields.push("userEnteredFormat.textFormat.fontSize");
  }
  if (fields.length > 0) fmt.textFormat = text;
  if (f.numberFormat) {
    fmt.numberFormat = numberFormat(f.numberFormat);
    fields.push("userEnteredFormat.numberFormat");
  }
  if (f.fill) {
    fmt.backgroundColor = color(f.fill);
    fields.push("userEnteredFormat.backgroundColor");
  }
  if (fields.length === 0) return null;
  return { repeatCell: { range: gridRange(sheetId, f.range), cell: { userEnteredFormat: fmt }, fields: fields.join(",") } };
}

/** Points (the plan's chart size) as screen pixels. */
const px = (pt: number): number => Math.round((pt * 4) / 3);

/** Every chart of the tab: the funnel first, then the others (the forecast by month), at their anchors and sizes. */
function chartRequests(sheetId: number, tab: TabWrite): Request[] {
  return [...(tab.chart ? [tab.chart] : []), ...(tab.charts ?? [])].map((c) => {
    const anchor = parseA1(c.anchor) ?? { row: 0, col: 0 };
    // Sheets has no funnel chart; stages in order as horizontal bars (first stage on top) read the same way.
    const column = c.type === "column";
    return {
      addChart: {
        chart: {
          spec: {
            title: c.title,
            basicChart: {
              chartType: column ? "COLUMN" : "BAR",
              legendPosition: "NO_LEGEND",
              axis: [{ position: "BOTTOM_AXIS" }, { position: "LEFT_AXIS" }],
              domains: [{ domain: { sourceRange: { sources: [gridRange(sheetId, c.categories)] } } }],
              series: [{ series: { sourceRange: { sources: [gridRange(sheetId, c.values)] } }, targetAxis: column ? "LEFT_AXIS" : "BOTTOM_AXIS" }],
            },
          },
          position: {
            overlayPosition: { anchorCell: { sheetId, rowIndex: anchor.row, columnIndex: anchor.col }, widthPixels: px(c.width ?? 420), heightPixels: px(c.height ?? 260) },
          },
        },
      },
    };
  });
}

/**
 * Tables as Sheets has them (as the Apps Script does): alternating colours on each table, and the tab's one basic
 * filter (one per sheet) on the stuck list, the table a manager filters by owner, else the first.
 */
function tableRequests(sheetId: number, tab: TabWrite): { once: Request[]; repeatable: Request[] } {
  const tables = tab.tables ?? [];
  const once: Request[] = tables.map((t) => ({
    addBanding: {
      bandedRange: {
        range: gridRange(sheetId, t.range),
        rowProperties: { headerColor: color("#DADCE0"), firstBandColor: color("#FFFFFF"), secondBandColor: color("#F3F3F3") },
      },
    },
  }));
  const filtered = tables.find((t) => t.name.endsWith("Stuck")) ?? tables[0];
  return { once, repeatable: filtered ? [{ setBasicFilter: { filter: { range: gridRange(sheetId, filtered.range) } } }] : [] };
}

/** Each linked cell (a stuck deal's name) as a link to its row on the other tab, the cell keeping its text. */
function linkRequests(sheetId: number, tab: TabWrite, gid: (name: string) => number | undefined): Request[] {
  const out: Request[] = [];
  for (const l of tab.links ?? []) {
    const id = gid(l.sheet);
    if (id === undefined) continue;
    out.push({
      repeatCell: {
        range: gridRange(sheetId, l.cell),
        cell: { userEnteredFormat: { textFormat: { link: { uri: `#gid=${id}&range=${l.target}` } } } },
        fields: "userEnteredFormat.textFormat.link",
      },
    });
  }
  return out;
}

/** Everything the plan asks for, as requests against the spreadsheet described by `t`. */
export function planRequests(plan: WorkbookPlan, t: PlanTarget, limit = PAYLOAD_LIMIT): PlannedRequests {
  const once: Request[] = [];
  const repeatable: Request[] = [];
  const deals = t.deals;
  const find = (name: string): SheetMeta | undefined => t.meta.sheets.find((s) => s.title.toLowerCase() === name.toLowerCase());
  const newIds: number[] = [];

  // The deals sheet must be big enough for new columns and for the rules' room below the data.
  const needCols = Math.max(0, ...plan.columns.map((c) => c.col + 1));
  let needRows = plan.headerRow + 1 + plan.rowCount;
  for (const r of [...plan.conditionalFormats.map((x) => x.range), ...plan.validations.map((x) => x.range)]) {
    const g = gridRange(deals.sheetId, r);
    needRows = Math.max(needRows, g.endRowIndex ?? 0);
  }
  if (needCols > deals.columnCount) once.push({ appendDimension: { sheetId: deals.sheetId, dimension: "COLUMNS", length: needCols - deals.columnCount } });
  if (needRows > deals.rowCount) once.push({ appendDimension: { sheetId: deals.sheetId, dimension: "ROWS", length: needRows - deals.rowCount } });

  // pipesheet's own rules are replaced (bottom-up, so indexes stay valid); the user's stay where they are.
  deals.conditionalFormats.forEach((rule, index) => {
    if (isOwnRule(rule)) once.unshift({ deleteConditionalFormatRule: { sheetId: deals.sheetId, index } });
  });
  const deletes = once.filter((r) => r.deleteConditionalFormatRule);
  const rest = once.filter((r) => !r.deleteConditionalFormatRule);
  once.length = 0;
  once.push(...rest, ...deletes.sort((a, b) => (b.deleteConditionalFormatRule?.index ?? 0) - (a.deleteConditionalFormatRule?.index ?? 0)));
  plan.conditionalFormats.forEach((rule, index) => {
    once.push({
      addConditionalFormatRule: {
        index,
        rule: {
          ranges: [gridRange(deals.sheetId, rule.range)],
          booleanRule: {
            condition: { type: "CUSTOM_FORMULA", values: [{ userEnteredValue: rule.formula.sheets.startsWith("=") ? rule.formula.sheets : `=${rule.formula.sheets}` }] },
            format: { backgroundColor: color(rule.fill), textFormat: { foregroundColor: color(rule.fontColor) } },
          },
        },
      },
    });
  });

  // Tab ids for links: the sheet's own, or the id a tab added in this plan gets.
  const added = new Map<string, number>();
  const gidOf = (name: string): number | undefined => find(name)?.sheetId ?? added.get(name.toLowerCase());
  for (const tab of plan.tabs) {
    const values = tab.values;
    const width = Math.max(1, ...values.map((r) => r.length), tab.widths?.length ?? 0);
    const height = Math.max(1, values.length);
    const sheet = find(tab.name);
    let sheetId: number;
    if (!sheet) {
      sheetId = nextSheetId(t.meta, newIds);
      newIds.push(sheetId);
      added.set(tab.name.toLowerCase(), sheetId);
      once.push({ addSheet: { properties: { sheetId, title: tab.name, hidden: tab.hidden, gridProperties: { rowCount: Math.max(100, height + 20), columnCount: Math.max(12, width + 2) } } } });
    } else {
      sheetId = sheet.sheetId;
      if (height > sheet.rowCount) once.push({ appendDimension: { sheetId, dimension: "ROWS", length: height - sheet.rowCount } });
      if (width > sheet.columnCount) once.push({ appendDimension: { sheetId, dimension: "COLUMNS", length: width - sheet.columnCount } });
      // The tab is pipesheet's: its old chart goes, the new one is added below.
      for (const id of sheet.chartIds) once.push({ deleteEmbeddedObject: { objectId: id } });
      for (const id of sheet.bandingIds ?? []) once.push({ deleteBanding: { bandedRangeId: id } });
      if (sheet.hidden !== tab.hidden) repeatable.push({ updateSheetProperties: { properties: { sheetId, hidden: tab.hidden }, fields: "hidden" } });
      repeatable.push({ updateCells: { range: { sheetId }, fields: "userEnteredValue,userEnteredFormat" } });
    }
    once.push(...chartRequests(sheetId, tab));
    const tables = tableRequests(sheetId, tab);
    once.push(...tables.once);
    const rows: CellData[][] = values.map((r) => {
      const line: CellData[] = [];
      for (let c = 0; c < width; c++) line.push(cellOf(r[c] ?? null));
      return line;
    });
    repeatable.push(...rowChunks(sheetId, 0, 0, rows, "userEnteredValue", limit));
    for (const f of tab.formats) {
      const r = formatRequest(sheetId, f);
      if (r) repeatable.push(r);
    }
    (tab.widths ?? []).forEach((w, i) =>
      repeatable.push({ updateDimensionProperties: { range: { sheetId, dimension: "COLUMNS", startIndex: i, endIndex: i + 1 }, properties: { pixelSize: Math.round(w * 7 + 12) }, fields: "pixelSize" } }),
    );
    repeatable.push(...tables.repeatable, ...linkRequests(sheetId, tab, gidOf));
  }

  for (const v of plan.validations) {
    repeatable.push({
      setDataValidation: {
        range: gridRange(deals.sheetId, v.range),
        rule: { condition: { type: "ONE_OF_LIST", values: v.list.slice(0, 500).map((x) => ({ userEnteredValue: x })) }, strict: v.strict, showCustomUi: true },
      },
    });
  }
  repeatable.push(...columnRequests(plan, deals.sheetId, limit));

  if (plan.logAppend.length > 0 && !plan.tabs.some((tab) => tab.name.toLowerCase() === "pipeline log")) {
    const log = find("Pipeline Log");
    if (log) {
      // Log rows grew from 5 to 10 cells in 0.2: a log tab made by 0.1 gets the columns first, and a long
      // append is split so no body goes over the limit.
      const width = Math.max(...plan.logAppend.map((r) => r.length));
      if (width > log.columnCount) once.push({ appendDimension: { sheetId: log.sheetId, dimension: "COLUMNS", length: width - log.columnCount } });
      for (const rows of chunkRows(plan.logAppend.map((r) => ({ values: r.map(cellOf) })), limit - 400)) once.push({ appendCells: { sheetId: log.sheetId, rows, fields: "userEnteredValue" } });
    }
  }
  return { once, repeatable };
}

export interface Body {
  requests: Request[];
  /** Every request in it is safe to send twice. */
  retryable: boolean;
}

/** An updateCells with rows cut in two, the first part within `room` bytes; null when it cannot be cut. */
function splitRows(r: Request, room: number): [Request, Request] | null {
  const u = r.updateCells;
  if (!u?.rows || !u.start || u.rows.length < 2) return null;
  let used = Buffer.byteLength(JSON.stringify({ updateCells: { ...u, rows: [] } }));
  let k = 0;
  for (; k < u.rows.length; k++) {
    const b = Buffer.byteLength(JSON.stringify(u.rows[k])) + 1;
    if (used + b > room) break;
    used += b;
  }
  if (k === 0 || k === u.rows.length) return null;
  return [
    { updateCells: { ...u, rows: u.rows.slice(0, k) } },
    { updateCells: { ...u, start: { ...u.start, rowIndex: (u.start.rowIndex ?? 0) + k }, rows: u.rows.slice(k) } },
  ];
}

/** Packs requests, in order, into bodies under `limit` bytes. */
export function packBodies(p: PlannedRequests, limit = PAYLOAD_LIMIT): Body[] {
  const bodies: Body[] = [];
  let cur: Body = { requests: [], retryable: true };
  let size = 50;
  const queue = [...p.once, ...p.repeatable];
  for (let q = 0; q < queue.length; q++) {
    let r = queue[q] as Request;
    let b = Buffer.byteLength(JSON.stringify(r)) + 1;
    // A long fixed-range write that does not fit fills what is left of a body of retryable writes; the rest goes on.
    const head = cur.retryable && cur.requests.length > 0 && size + b > limit && limit - size > limit / 8 ? splitRows(r, limit - size - 400) : null;
    if (head) {
      queue.splice(q + 1, 0, head[1]);
      r = head[0];
      b = Buffer.byteLength(JSON.stringify(r)) + 1;
    }
    if (cur.requests.length > 0 && size + b > limit) {
      bodies.push(cur);
      cur = { requests: [], retryable: true };
      size = 50;
    }
    cur.requests.push(r);
    if (!isIdempotent(r)) cur.retryable = false;
    size += b;
  }
  if (cur.requests.length > 0) bodies.push(cur);
  return bodies;
}
