// The spreadsheet the fake Sheets API serves: sheets with values, formulas, formats, validations,
// conditional-format rules and charts, and the operations of the endpoints pipesheet uses. Every
// operation validates fully before it changes anything, because the real API is atomic per request.
import { colLetters, formatA1, parseA1, quoteSheet, type A1 } from "./a1.js";

export type Value = string | number | boolean;
/** Thrown for a request the real API would answer with 400 INVALID_ARGUMENT. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = status === 400 ? "INVALID_ARGUMENT" : status === 404 ? "NOT_FOUND" : "FAILED_PRECONDITION",
  ) {
    super(message);
  }
}
const bad = (message: string): never => {
  throw new ApiError(400, message);
};

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export interface SheetProps {
  sheetId: number;
  title: string;
  index: number;
  sheetType: "GRID";
  hidden?: boolean;
  gridProperties: { rowCount: number; columnCount: number; frozenRowCount?: number };
}

export class FakeSheet {
  /** Effective values; rows and cells beyond the arrays are empty. */
  vals: (Value | null)[][] = [];
  formulas = new Map<string, string>();
  formats = new Map<string, Json>();
  validations = new Map<string, Json>();
  conditionalFormats: Json[] = [];
  charts: Json[] = [];
  /** Alternating colours (addBanding), each with its bandedRangeId. */
  bandedRanges: Json[] = [];
  /** The sheet's one basic filter (setBasicFilter), or null. */
  basicFilter: Json | null = null;
  dimensionProps = new Map<string, Json>();
  constructor(public props: SheetProps) {}

  get rowCount(): number {
    return this.props.gridProperties.rowCount;
  }
  get columnCount(): number {
    return this.props.gridProperties.columnCount;
  }

  get(r: number, c: number): Value | null {
    return this.vals[r]?.[c] ?? null;
  }

  set(r: number, c: number, v: Value | null, formula?: string): void {
    let row = this.vals[r];
    if (!row) {
      while (this.vals.length <= r) this.vals.push([]);
      row = this.vals[r] as (Value | null)[];
    }
    while (row.length <= c) row.push(null);
    row[c] = v === "" ? null : v;
    const k = `${r},${c}`;
    if (formula !== undefined) this.formulas.set(k, formula);
    else if (this.formulas.size > 0) this.formulas.delete(k);
  }

  /** Index after the last row holding any value. */
  lastRow(): number {
    for (let r = this.vals.length - 1; r >= 0; r--) if ((this.vals[r] ?? []).some((v) => v !== null && v !== "")) return r + 1;
    return 0;
  }

  clone(): FakeSheet {
    const s = new FakeSheet(structuredClone(this.props));
    s.vals = this.vals.map((r) => r.slice());
    s.formulas = new Map(this.formulas);
    // Format objects are never changed in place (writeCell copies along the path it changes), so sharing them is safe.
    s.formats = new Map(this.formats);
    s.validations = new Map(this.validations);
    s.conditionalFormats = structuredClone(this.conditionalFormats);
    s.charts = structuredClone(this.charts);
    s.bandedRanges = structuredClone(this.bandedRanges);
    s.basicFilter = structuredClone(this.basicFilter);
    s.dimensionProps = new Map(this.dimensionProps);
    return s;
  }

  /** Removes rows [start, end) and shifts everything below up, like deleteDimension. */
  deleteRows(start: number, end: number): void {
    const n = end - start;
    this.vals.splice(start, n);
    const shift = <T>(m: Map<string, T>): Map<string, T> => {
      const out = new Map<string, T>();
      for (const [k, v] of m) {
        const [r, c] = k.split(",").map(Number) as [number, number];
        if (r < start) out.set(k, v);
        else if (r >= end) out.set(`${r - n},${c}`, v);
      }
      return out;
    };
    this.formulas = shift(this.formulas);
    this.formats = shift(this.formats);
    this.validations = shift(this.validations);
    this.props.gridProperties.rowCount -= n;
  }

  insertRows(at: number, n: number): void {
    if (at < this.vals.length) this.vals.splice(at, 0, ...Array.from({ length: n }, () => [] as (Value | null)[]));
    const shift = <T>(m: Map<string, T>): Map<string, T> => {
      const out = new Map<string, T>();
      for (const [k, v] of m) {
        const [r, c] = k.split(",").map(Number) as [number, number];
        out.set(r < at ? k : `${r + n},${c}`, v);
      }
      return out;
    };
    this.formulas = shift(this.formulas);
    this.formats = shift(this.formats);
    this.validations = shift(this.validations);
    this.props.gridProperties.rowCount += n;
  }
}

const EPOCH_OFFSET = 25_569;
const isoOf = (serial: number): string => new Date(Math.round((serial - EPOCH_OFFSET) * 86_400_000)).toISOString().slice(0, 10);

function formatNumber(n: number, nf: Json | undefined): string {
  const type: string | undefined = nf?.type;
  const pattern: string = nf?.pattern ?? "";
  if (type === "DATE" || type === "DATE_TIME") {
    const iso = isoOf(n);
    if (pattern === "" || /^y+-m+-d+$/i.test(pattern)) return iso;
    const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
    return pattern.replace(/y+/i, String(y)).replace(/M+/, String(m)).replace(/d+/, String(d));
  }
  if (type === "PERCENT") {
    const decimals = /\.(0+)%/.exec(pattern)?.[1]?.length ?? 0;
    return `${(n * 100).toFixed(decimals)}%`;
  }
  if (type === "CURRENCY") return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (type === "NUMBER" && pattern !== "") {
    const decimals = /\.(0+)/.exec(pattern)?.[1]?.length ?? 0;
    return pattern.includes(",")
      ? n.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
      : n.toFixed(decimals);
  }
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(10)));
}

export interface RenderOptions {
  valueRenderOption: "FORMATTED_VALUE" | "UNFORMATTED_VALUE" | "FORMULA";
  dateTimeRenderOption: "SERIAL_NUMBER" | "FORMATTED_STRING";
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What typing `input` into a cell gives, like valueInputOption USER_ENTERED. */
export function userEntered(input: Value): { v: Value | null; formula?: string; numberFormat?: Json } {
  if (typeof input !== "string") return { v: input };
  if (input.startsWith("'")) return { v: input.slice(1) };
  if (input.startsWith("=") && input.length > 1) return { v: null, formula: input };
  const t = input.trim();
  if (NUMBER.test(t)) return { v: Number(t) };
  if (/^[+-]?\d+(\.\d+)?%$/.test(t)) return { v: Number(t.slice(0, -1)) / 100, numberFormat: { type: "PERCENT", pattern: "0%" } };
  if (/^\$\d{1,3}(,\d{3})*(\.\d+)?$|^\$\d+(\.\d+)?$/.test(t)) return { v: Number(t.slice(1).replace(/,/g, "")), numberFormat: { type: "CURRENCY", pattern: '"$"#,##0.00' } };
  if (/^(true|false)$/i.test(t)) return { v: t.toLowerCase() === "true" };
  const iso = ISO_DATE.exec(t);
  if (iso) {
    const ms = Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
    const back = new Date(ms);
    if (back.getUTCDate() === Number(iso[3])) return { v: ms / 86_400_000 + EPOCH_OFFSET, numberFormat: { type: "DATE", pattern: "yyyy-mm-dd" } };
  }
  const mdy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (mdy) {
    const ms = Date.UTC(Number(mdy[3]), Number(mdy[1]) - 1, Number(mdy[2]));
    if (new Date(ms).getUTCDate() === Number(mdy[2])) return { v: ms / 86_400_000 + EPOCH_OFFSET, numberFormat: { type: "DATE", pattern: "M/d/yyyy" } };
  }
  return { v: input };
}

export class FakeSpreadsheet {
  sheets: FakeSheet[] = [];
  private nextSheetId = 1000;
  private nextChartId = 5000;
  private nextBandingId = 7000;
  constructor(
    readonly spreadsheetId: string,
    public title = "Pipeline",
  ) {}

  addSheet(title: string, rows: (Value | null)[][] = [], opts: Partial<SheetProps> & { rowCount?: number; columnCount?: number } = {}): FakeSheet {
    const width = Math.max(26, ...rows.map((r) => r.length));
    const sheet = new FakeSheet({
      sheetId: opts.sheetId ?? (this.sheets.length === 0 ? 0 : this.nextSheetId++),
      title,
      index: this.sheets.length,
      sheetType: "GRID",
      hidden: opts.hidden ?? false,
      gridProperties: { rowCount: opts.rowCount ?? Math.max(1000, rows.length), columnCount: opts.columnCount ?? width },
    });
    rows.forEach((row, r) => row.forEach((v, c) => v !== null && v !== "" && sheet.set(r, c, v)));
    this.sheets.push(sheet);
    return sheet;
  }

  sheet(title: string): FakeSheet {
    const s = this.sheets.find((x) => x.props.title === title);
    if (!s) throw new Error(`fake: no sheet ${title}`);
    return s;
  }

  byTitle(title: string | null): FakeSheet {
    if (title === null) return this.sheets[0] ?? bad("Unable to parse range: (no sheets)");
    return this.sheets.find((s) => s.props.title === title) ?? bad(`Unable to parse range: ${quoteSheet(title)}`);
  }

  byId(id: unknown, where: string): FakeSheet {
    const n = typeof id === "string" ? Number(id) : id;
    const s = this.sheets.find((x) => x.props.sheetId === (n ?? 0));
    return s ?? bad(`Invalid ${where}: No grid with id: ${String(id ?? 0)}`);
  }

  /** A simple read of a sheet as a grid of effective values (for test assertions). */
  grid(title: string): (Value | null)[][] {
    const s = this.sheet(title);
    const rows = s.vals.slice(0, s.lastRow()).map((r) => {
      const out = r.slice();
      while (out.length > 0 && (out[out.length - 1] === null || out[out.length - 1] === "")) out.pop();
      return out;
    });
    return rows;
  }

  // ---------------------------------------------------------------- values API

  private resolve(range: string): { sheet: FakeSheet; a1: A1 } {
    const a1 = parseA1(range) ?? bad(`Unable to parse range: ${range}`);
    return { sheet: this.byTitle(a1.sheet), a1 };
  }

  private gridLimit(sheet: FakeSheet, r: number, c: number, range: string): void {
    if (r >= sheet.rowCount || c >= sheet.columnCount)
      bad(`Range (${range}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
  }

  getValues(range: string, opts: RenderOptions): Json {
    const { sheet, a1 } = this.resolve(range);
    const r1 = a1.r1 ?? sheet.rowCount - 1;
    const c1 = a1.c1 ?? sheet.columnCount - 1;
    if (a1.r1 !== undefined || a1.c1 !== undefined) this.gridLimit(sheet, a1.r1 ?? 0, a1.c1 ?? 0, range);
    const rows: Json[][] = [];
    const last = Math.min(r1 + 1, sheet.vals.length);
    for (let r = a1.r0; r < last; r++) {
      const src = sheet.vals[r] ?? [];
      const row: Json[] = [];
      const end = Math.min(c1 + 1, src.length);
      for (let c = a1.c0; c < end; c++) row.push(this.render(sheet, r, c, opts));
      while (row.length > 0 && row[row.length - 1] === "") row.pop();
      rows.push(row);
    }
    while (rows.length > 0 && (rows[rows.length - 1] as Json[]).length === 0) rows.pop();
    const out: Json = {
      range: formatA1(sheet.props.title, a1.r0, a1.c0, Math.max(a1.r0, r1), Math.max(a1.c0, c1)),
      majorDimension: "ROWS",
    };
    if (rows.length > 0) out.values = rows;
    return out;
  }

  private render(sheet: FakeSheet, r: number, c: number, opts: RenderOptions): Json {
    const v = sheet.vals[r]?.[c] ?? null;
    if (opts.valueRenderOption === "FORMULA") {
      const f = sheet.formulas.get(`${r},${c}`);
      if (f !== undefined) return f;
    }
    if (v === null) return "";
    if (typeof v === "boolean") return opts.valueRenderOption === "FORMATTED_VALUE" ? (v ? "TRUE" : "FALSE") : v;
    if (typeof v === "string") return v;
    const nf = sheet.formats.get(`${r},${c}`)?.numberFormat;
    if (opts.valueRenderOption === "FORMATTED_VALUE") return formatNumber(v, nf);
    const isDate = nf && ["DATE", "DATE_TIME", "TIME"].includes(nf.type);
    if (isDate && opts.dateTimeRenderOption === "FORMATTED_STRING") return formatNumber(v, nf);
    return v;
  }

  /** Validates one ValueRange write and returns a function that performs it. */
  private prepareWrite(vr: Json, inputOption: string, path: string): () => Json {
    if (!["RAW", "USER_ENTERED"].includes(inputOption)) bad(`Invalid valueInputOption: ${inputOption}`);
    if (vr.majorDimension && vr.majorDimension !== "ROWS") bad(`fake: majorDimension ${vr.majorDimension} not modelled`);
    const range: string = vr.range ?? bad(`Invalid ${path}: range is required`);
    const { sheet, a1 } = this.resolve(range);
    const values: Json[][] = vr.values ?? [];
    const height = values.length;
    const width = Math.max(0, ...values.map((r) => (Array.isArray(r) ? r.length : bad(`Invalid ${path}.values: rows must be lists`))));
    if (a1.r1 !== undefined && height > a1.r1 - a1.r0 + 1)
      bad(`Requested writing within range [${range}], but tried writing to row [${a1.r0 + height}]`);
    if (a1.c1 !== undefined && width > a1.c1 - a1.c0 + 1)
      bad(`Requested writing within range [${range}], but tried writing to column [${colLetters(a1.c0 + width - 1)}]`);
    if (height > 0 && width > 0) this.gridLimit(sheet, a1.r0 + height - 1, a1.c0 + width - 1, range);
    for (const row of values)
      for (const v of row)
        if (v !== null && !["string", "number", "boolean"].includes(typeof v)) bad(`Invalid ${path}.values: a cell must be a string, number, boolean or null`);
    return () => {
      let cells = 0;
      values.forEach((row, i) =>
        row.forEach((v, j) => {
          if (v === null) return; // the API skips nulls: the cell keeps its value
          cells++;
          this.writeInput(sheet, a1.r0 + i, a1.c0 + j, v, inputOption);
        }),
      );
      return {
        spreadsheetId: this.spreadsheetId,
        updatedRange: height > 0 ? formatA1(sheet.props.title, a1.r0, a1.c0, a1.r0 + height - 1, a1.c0 + Math.max(width, 1) - 1) : range,
        updatedRows: height,
        updatedColumns: width,
        updatedCells: cells,
      };
    };
  }

  private writeInput(sheet: FakeSheet, r: number, c: number, v: Value, inputOption: string): void {
    if (inputOption === "RAW") {
      sheet.set(r, c, v);
      return;
    }
    const e = userEntered(v);
    sheet.set(r, c, e.v, e.formula);
    if (e.numberFormat) {
      const k = `${r},${c}`;
      const f = sheet.formats.get(k) ?? {};
      if (!f.numberFormat) sheet.formats.set(k, { ...f, numberFormat: e.numberFormat });
    }
  }

  updateValues(range: string, body: Json, inputOption: string): Json {
    if (body.range && body.range !== range) {
      const a = parseA1(body.range);
      const b = parseA1(range);
      if (JSON.stringify(a) !== JSON.stringify(b)) bad(`Requested range [${body.range}] does not match the URL range [${range}]`);
    }
    return this.prepareWrite({ ...body, range }, inputOption, "data")();
  }

  batchUpdateValues(body: Json): Json {
    const data: Json[] = body.data ?? [];
    const jobs = data.map((vr, i) => this.prepareWrite(vr, body.valueInputOption ?? "", `data[${i}]`));
    const responses = jobs.map((j) => j());
    return {
      spreadsheetId: this.spreadsheetId,
      totalUpdatedRows: responses.reduce((a, r) => a + r.updatedRows, 0),
      totalUpdatedCells: responses.reduce((a, r) => a + r.updatedCells, 0),
      totalUpdatedSheets: new Set(data.map((d) => parseA1(d.range)?.sheet)).size,
      responses,
    };
  }

  appendValues(range: string, body: Json, inputOption: string, insertOption: string): Json {
    if (!["OVERWRITE", "INSERT_ROWS"].includes(insertOption)) bad(`Invalid insertDataOption: ${insertOption}`);
    const { sheet, a1 } = this.resolve(range);
    const values: Json[][] = body.values ?? [];
    const width = Math.max(0, ...values.map((r) => r.length));
    if (a1.c0 + width > sheet.columnCount)
      bad(`Range (${range}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
    // The "table" is the block of rows with data that starts at the range's first row.
    const c1 = a1.c1 ?? sheet.columnCount - 1;
    const hasData = (r: number): boolean => {
      const row = sheet.vals[r] ?? [];
      for (let c = a1.c0; c <= c1 && c < row.length; c++) if (row[c] !== null && row[c] !== "") return true;
      return false;
    };
    let at = a1.r0;
    if (hasData(at)) while (at < sheet.rowCount && hasData(at)) at++;
    const n = values.length;
    if (insertOption === "INSERT_ROWS") sheet.insertRows(Math.min(at, sheet.rowCount), n);
    else if (at + n > sheet.rowCount) sheet.props.gridProperties.rowCount = at + n;
    const write = this.prepareWrite({ range: formatA1(sheet.props.title, at, a1.c0, at + Math.max(n, 1) - 1, a1.c0 + Math.max(width, 1) - 1), values }, inputOption, "data");
    const updates = write();
    return {
      spreadsheetId: this.spreadsheetId,
      tableRange: at > a1.r0 ? formatA1(sheet.props.title, a1.r0, a1.c0, at - 1, c1) : undefined,
      updates,
    };
  }

  // ---------------------------------------------------------------- spreadsheets.get

  metadata(): Json {
    return {
      spreadsheetId: this.spreadsheetId,
      properties: { title: this.title, locale: "en_US", timeZone: "Etc/UTC", autoRecalc: "ON_CHANGE" },
      sheets: this.sheets.map((s) => {
        const out: Json = { properties: structuredClone(s.props) };
        if (s.conditionalFormats.length > 0) out.conditionalFormats = structuredClone(s.conditionalFormats);
        if (s.charts.length > 0) out.charts = structuredClone(s.charts);
        if (s.bandedRanges.length > 0) out.bandedRanges = structuredClone(s.bandedRanges);
        if (s.basicFilter) out.basicFilter = structuredClone(s.basicFilter);
        return out;
      }),
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${this.spreadsheetId}/edit`,
    };
  }

  // ---------------------------------------------------------------- spreadsheets.batchUpdate

  /** Applies all requests to copies of the sheets they touch, then commits: all or nothing. */
  batchUpdate(requests: Json[]): Json[] {
    const work = new Map<FakeSheet, FakeSheet>();
    const sheetsCopy = this.sheets.slice();
    const live = (s: FakeSheet): FakeSheet => {
      let copy = work.get(s);
      if (!copy) {
        copy = s.clone();
        work.set(s, copy);
        sheetsCopy[sheetsCopy.indexOf(s)] = copy;
      }
      return copy;
    };
    const view = new FakeSpreadsheet(this.spreadsheetId, this.title);
    view.sheets = sheetsCopy;
    view.nextSheetId = this.nextSheetId;
    view.nextChartId = this.nextChartId;
    view.nextBandingId = this.nextBandingId;
    const replies: Json[] = [];
    requests.forEach((req, i) => {
      const kinds = Object.keys(req ?? {});
      if (kinds.length !== 1)
        bad(kinds.length === 0 ? `Invalid requests[${i}]: No request kind set.` : `Invalid value at 'requests[${i}]' (oneof), oneof field 'kind' is already set. Cannot set '${kinds[1]}'`);
      const kind = kinds[0] as string;
      replies.push(view.applyRequest(kind, req[kind], `requests[${i}].${kind}`, live));
    });
    this.sheets = view.sheets;
    this.nextSheetId = view.nextSheetId;
    this.nextChartId = view.nextChartId;
    this.nextBandingId = view.nextBandingId;
    return replies;
  }

  private gridRange(g: Json, where: string, live: (s: FakeSheet) => FakeSheet): { sheet: FakeSheet; r0: number; r1: number; c0: number; c1: number } {
    const sheet = live(this.byId(g?.sheetId, where));
    const r0 = g?.startRowIndex ?? 0;
    const r1 = g?.endRowIndex ?? sheet.rowCount;
    const c0 = g?.startColumnIndex ?? 0;
    const c1 = g?.endColumnIndex ?? sheet.columnCount;
    if (r0 < 0 || c0 < 0 || r1 < r0 || c1 < c0) bad(`Invalid ${where}: the range's end is before its start.`);
    if (r1 > sheet.rowCount || c1 > sheet.columnCount)
      bad(`Invalid ${where}: Range (${quoteSheet(sheet.props.title)}!${colLetters(c0)}${r0 + 1}:${colLetters(Math.max(c0, c1 - 1))}${r1}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
    return { sheet, r0, r1, c0, c1 };
  }

  private applyRequest(kind: string, body: Json, where: string, live: (s: FakeSheet) => FakeSheet): Json {
    switch (kind) {
      case "addSheet": {
        const p = body?.properties ?? {};
        const title: string = p.title ?? `Sheet${this.sheets.length + 1}`;
        if (this.sheets.some((s) => s.props.title.toLowerCase() === title.toLowerCase()))
          bad(`Invalid ${where}: A sheet with the name "${title}" already exists. Please enter another name.`);
        if (p.sheetId !== undefined && this.sheets.some((s) => s.props.sheetId === p.sheetId))
          bad(`Invalid ${where}: Sheet with id ${p.sheetId} already exists.`);
        const sheet = new FakeSheet({
          sheetId: p.sheetId ?? this.nextSheetId++,
          title,
          index: p.index ?? this.sheets.length,
          sheetType: "GRID",
          hidden: p.hidden ?? false,
          gridProperties: { rowCount: p.gridProperties?.rowCount ?? 1000, columnCount: p.gridProperties?.columnCount ?? 26 },
        });
        if (p.gridProperties?.frozenRowCount !== undefined) sheet.props.gridProperties.frozenRowCount = p.gridProperties.frozenRowCount;
        this.sheets.push(sheet);
        this.sheets.forEach((s, i) => {
          s.props.index = i;
        });
        return { addSheet: { properties: structuredClone(sheet.props) } };
      }
      case "updateSheetProperties": {
        const fields: string = body?.fields ?? bad(`Invalid ${where}: At least one field must be specified.`);
        const p = body.properties ?? {};
        const sheet = live(this.byId(p.sheetId, where));
        for (const f of fields.split(",").map((x) => x.trim())) {
          if (f === "hidden") {
            if (p.hidden && this.sheets.filter((s) => !s.props.hidden && s !== sheet && s.props.sheetId !== sheet.props.sheetId).length === 0)
              bad(`Invalid ${where}: You can't hide all the sheets in a document.`);
            sheet.props.hidden = Boolean(p.hidden);
          } else if (f === "title") {
            if (this.sheets.some((s) => s.props.sheetId !== sheet.props.sheetId && s.props.title === p.title)) bad(`Invalid ${where}: A sheet with the name "${p.title}" already exists.`);
            sheet.props.title = p.title;
          } else if (f === "gridProperties.rowCount" || f === "gridProperties.columnCount" || f === "gridProperties.frozenRowCount") {
            const key = f.split(".")[1] as "rowCount" | "columnCount" | "frozenRowCount";
            const v = p.gridProperties?.[key];
            if (typeof v !== "number") bad(`Invalid ${where}: ${f} must be a number.`);
            if (key === "rowCount" && v < sheet.rowCount) sheet.vals.length = Math.min(sheet.vals.length, v);
            if (key === "columnCount" && v < sheet.columnCount) sheet.vals.forEach((r) => (r.length = Math.min(r.length, v)));
            sheet.props.gridProperties[key] = v;
          } else bad(`fake: updateSheetProperties field ${f} not modelled`);
        }
        return {};
      }
      case "appendDimension": {
        const sheet = live(this.byId(body?.sheetId, where));
        const n = body?.length;
        if (!Number.isInteger(n) || n <= 0) bad(`Invalid ${where}: length must be positive.`);
        if (body.dimension === "ROWS") sheet.props.gridProperties.rowCount += n;
        else if (body.dimension === "COLUMNS") sheet.props.gridProperties.columnCount += n;
        else bad(`Invalid ${where}: dimension must be ROWS or COLUMNS.`);
        return {};
      }
      case "deleteDimension": {
        const r = body?.range ?? bad(`Invalid ${where}: range is required.`);
        const sheet = live(this.byId(r.sheetId, where));
        if (r.dimension !== "ROWS") bad(`fake: deleteDimension ${r.dimension} not modelled`);
        const start = r.startIndex ?? 0;
        const end = r.endIndex ?? sheet.rowCount;
        if (start < 0 || end > sheet.rowCount || end <= start) bad(`Invalid ${where}: range out of bounds.`);
        if (end - start >= sheet.rowCount) bad(`Invalid ${where}: You can't delete all the rows on the sheet.`);
        sheet.deleteRows(start, end);
        return {};
      }
      case "updateCells": {
        const fields: string = body?.fields ?? bad(`Invalid ${where}: At least one field must be specified.`);
        if (body.start && body.range) bad(`Invalid value at '${where}' (oneof), oneof field 'area' is already set. Cannot set 'range'`);
        const rows: Json[] = body.rows ?? [];
        let g: { sheet: FakeSheet; r0: number; r1: number; c0: number; c1: number };
        if (body.start) {
          const width = Math.max(0, ...rows.map((r) => (r.values ?? []).length));
          g = this.gridRange(
            {
              sheetId: body.start.sheetId,
              startRowIndex: body.start.rowIndex ?? 0,
              endRowIndex: (body.start.rowIndex ?? 0) + rows.length,
              startColumnIndex: body.start.columnIndex ?? 0,
              endColumnIndex: (body.start.columnIndex ?? 0) + width,
            },
            where,
            live,
          );
        } else if (body.range) g = this.gridRange(body.range, where, live);
        else return bad(`Invalid ${where}: one of start or range is required.`);
        const mask = parseMask(fields, where);
        for (let r = g.r0; r < g.r1; r++) {
          const row: Json[] = rows[r - g.r0]?.values ?? [];
          // With `start`, cells past the row's list are left alone; with `range`, they are cleared.
          const end = body.start ? g.c0 + row.length : g.c1;
          for (let c = g.c0; c < end; c++) this.writeCell(g.sheet, r, c, row[c - g.c0] ?? {}, mask, `${where}.rows[${r - g.r0}].values[${c - g.c0}]`);
        }
        return {};
      }
      case "repeatCell": {
        const fields: string = body?.fields ?? bad(`Invalid ${where}: At least one field must be specified.`);
        const g = this.gridRange(body.range, where, live);
        const mask = parseMask(fields, where);
        for (let r = g.r0; r < g.r1; r++) for (let c = g.c0; c < g.c1; c++) this.writeCell(g.sheet, r, c, body.cell ?? {}, mask, `${where}.cell`);
        return {};
      }
      case "appendCells": {
        const fields: string = body?.fields ?? bad(`Invalid ${where}: At least one field must be specified.`);
        const sheet = live(this.byId(body.sheetId, where));
        const rows: Json[] = body.rows ?? [];
        const at = sheet.lastRow();
        const width = Math.max(0, ...rows.map((r) => (r.values ?? []).length));
        if (width > sheet.columnCount) bad(`Invalid ${where}: Range exceeds grid limits. Max columns: ${sheet.columnCount}`);
        if (at + rows.length > sheet.rowCount) sheet.props.gridProperties.rowCount = at + rows.length;
        const mask = parseMask(fields, where);
        rows.forEach((row, i) => (row.values ?? []).forEach((cell: Json, c: number) => this.writeCell(sheet, at + i, c, cell, mask, `${where}.rows[${i}]`)));
        return {};
      }
      case "addConditionalFormatRule": {
        const rule = body?.rule ?? bad(`Invalid ${where}: rule is required.`);
        const ranges: Json[] = rule.ranges ?? [];
        if (ranges.length === 0) bad(`Invalid ${where}: Must specify at least one range.`);
        const sheets = new Set(ranges.map((g, k) => this.gridRange(g, `${where}.rule.ranges[${k}]`, live).sheet));
        if (sheets.size !== 1) bad(`Invalid ${where}: All ranges must be on the same sheet.`);
        if (!rule.booleanRule === !rule.gradientRule) bad(`Invalid ${where}: exactly one of booleanRule or gradientRule is required.`);
        if (rule.booleanRule) checkCondition(rule.booleanRule.condition, `${where}.rule.booleanRule.condition`, true);
        const sheet = [...sheets][0] as FakeSheet;
        const index = body.index ?? 0;
        if (index < 0 || index > sheet.conditionalFormats.length) bad(`Invalid ${where}: index ${index} is out of bounds.`);
        sheet.conditionalFormats.splice(index, 0, structuredClone(rule));
        return {};
      }
      case "deleteConditionalFormatRule": {
        const sheet = live(this.byId(body?.sheetId, where));
        const index = body.index ?? 0;
        if (index < 0 || index >= sheet.conditionalFormats.length)
          bad(`Invalid ${where}: No conditional format on sheet: ${sheet.props.sheetId} at index: ${index}`);
        const [rule] = sheet.conditionalFormats.splice(index, 1);
        return { deleteConditionalFormatRule: { rule } };
      }
      case "setDataValidation": {
        const g = this.gridRange(body?.range, where, live);
        const rule = body.rule;
        if (rule) {
          checkCondition(rule.condition, `${where}.rule.condition`, false);
          if (rule.condition.type === "ONE_OF_LIST" && (rule.condition.values ?? []).length > 500)
            bad(`Invalid ${where}: A list of items can contain at most 500 items.`);
        }
        for (let r = g.r0; r < g.r1; r++)
          for (let c = g.c0; c < g.c1; c++) {
            if (rule) g.sheet.validations.set(`${r},${c}`, rule);
            else g.sheet.validations.delete(`${r},${c}`);
          }
        return {};
      }
      case "addChart": {
        const chart = structuredClone(body?.chart ?? bad(`Invalid ${where}: chart is required.`));
        const spec = chart.spec ?? bad(`Invalid ${where}: chart.spec is required.`);
        const kinds = ["basicChart", "pieChart", "bubbleChart", "candlestickChart", "orgChart", "histogramChart", "waterfallChart", "treemapChart", "scorecardChart"].filter((k) => spec[k]);
        if (kinds.length !== 1) bad(`Invalid ${where}: exactly one chart type must be set.`);
        if (spec.basicChart) {
          const bc = spec.basicChart;
          if (!["BAR", "LINE", "AREA", "COLUMN", "SCATTER", "COMBO", "STEPPED_AREA"].includes(bc.chartType)) bad(`Invalid ${where}: chartType ${bc.chartType}`);
          const sources: Json[] = [
            ...(bc.domains ?? []).flatMap((d: Json) => d.domain?.sourceRange?.sources ?? []),
            ...(bc.series ?? []).flatMap((s: Json) => s.series?.sourceRange?.sources ?? []),
          ];
          if (sources.length === 0) bad(`Invalid ${where}: the chart has no data.`);
          sources.forEach((g, k) => this.gridRange(g, `${where}.sources[${k}]`, live));
        }
        const pos = chart.position ?? bad(`Invalid ${where}: chart.position is required.`);
        let host: FakeSheet;
        if (pos.overlayPosition) host = live(this.byId(pos.overlayPosition.anchorCell?.sheetId, `${where}.position`));
        else if (pos.sheetId !== undefined) host = live(this.byId(pos.sheetId, `${where}.position`));
        else return bad(`fake: chart position ${JSON.stringify(pos)} not modelled`);
        if (chart.chartId !== undefined && this.sheets.some((s) => s.charts.some((c: Json) => c.chartId === chart.chartId)))
          bad(`Invalid ${where}: An object with id ${chart.chartId} already exists.`);
        chart.chartId ??= this.nextChartId++;
        host.charts.push(chart);
        return { addChart: { chart } };
      }
      case "deleteEmbeddedObject": {
        const id = body?.objectId;
        const host = this.sheets.find((s) => s.charts.some((c: Json) => c.chartId === id));
        if (!host) bad(`Invalid ${where}: No embedded object with id: ${id}`);
        const sheet = live(host as FakeSheet);
        sheet.charts = sheet.charts.filter((c: Json) => c.chartId !== id);
        return {};
      }
      case "addBanding": {
        const banded = structuredClone(body?.bandedRange ?? bad(`Invalid ${where}: bandedRange is required.`));
        if (!banded.rowProperties && !banded.columnProperties) bad(`Invalid ${where}: one of rowProperties or columnProperties is required.`);
        const g = this.gridRange(banded.range, where, live);
        // As Sheets: alternating colours never overlap.
        const overlaps = g.sheet.bandedRanges.some((b: Json) => {
          const o = b.range;
          const [r0, r1, c0, c1] = [o.startRowIndex ?? 0, o.endRowIndex ?? g.sheet.rowCount, o.startColumnIndex ?? 0, o.endColumnIndex ?? g.sheet.columnCount];
          return r0 < g.r1 && g.r0 < r1 && c0 < g.c1 && g.c0 < c1;
        });
        if (overlaps) bad(`Invalid ${where}: You cannot add alternating colors to a range that already has alternating colors.`);
        banded.bandedRangeId = this.nextBandingId++;
        g.sheet.bandedRanges.push(banded);
        return { addBanding: { bandedRange: banded } };
      }
      case "deleteBanding": {
        const id = body?.bandedRangeId;
        const host = this.sheets.find((x) => x.bandedRanges.some((b: Json) => b.bandedRangeId === id));
        if (!host) bad(`Invalid ${where}: No banded range with id: ${id}`);
        const sheet = live(host as FakeSheet);
        sheet.bandedRanges = sheet.bandedRanges.filter((b: Json) => b.bandedRangeId !== id);
        return {};
      }
      case "setBasicFilter": {
        const filter = structuredClone(body?.filter ?? bad(`Invalid ${where}: filter is required.`));
        const g = this.gridRange(filter.range, where, live);
        g.sheet.basicFilter = filter;
        return {};
      }
      case "updateDimensionProperties": {
        const fields: string = body?.fields ?? bad(`Invalid ${where}: At least one field must be specified.`);
        const r = body.range ?? bad(`Invalid ${where}: range is required.`);
        const sheet = live(this.byId(r.sheetId, where));
        const limit = r.dimension === "ROWS" ? sheet.rowCount : sheet.columnCount;
        if ((r.endIndex ?? limit) > limit) bad(`Invalid ${where}: range exceeds grid limits.`);
        for (let i = r.startIndex ?? 0; i < (r.endIndex ?? limit); i++) sheet.dimensionProps.set(`${r.dimension}:${i}`, { ...body.properties, fields });
        return {};
      }
      default:
        throw new ApiError(501, `fake Sheets API: request kind ${kind} is not modelled`, "UNIMPLEMENTED");
    }
  }

  private writeCell(sheet: FakeSheet, r: number, c: number, cell: Json, mask: string[][], where: string): void {
    const k = `${r},${c}`;
    for (const path of mask) {
      const top = path[0];
      if (top === "*" || top === "userEnteredValue") {
        const ev = cell.userEnteredValue;
        if (ev) {
          const set = ["numberValue", "stringValue", "boolValue", "formulaValue", "errorValue"].filter((x) => ev[x] !== undefined);
          if (set.length !== 1) bad(`Invalid ${where}.userEnteredValue: exactly one value kind must be set.`);
          if (ev.formulaValue !== undefined) {
            if (!String(ev.formulaValue).startsWith("=")) bad(`Invalid ${where}: formulaValue must start with =`);
            sheet.set(r, c, null, ev.formulaValue);
          } else sheet.set(r, c, ev.numberValue ?? ev.stringValue ?? ev.boolValue ?? null);
        } else sheet.set(r, c, null);
      }
      if (top === "*" || top === "userEnteredFormat") {
        const src = cell.userEnteredFormat ?? {};
        if (top === "*" || path.length === 1) {
          if (cell.userEnteredFormat) sheet.formats.set(k, src);
          else sheet.formats.delete(k);
        } else sheet.formats.set(k, withPath(sheet.formats.get(k) ?? {}, path.slice(1), getPath(src, path.slice(1))));
      }
      if (top === "*" || top === "dataValidation") {
        if (cell.dataValidation) sheet.validations.set(k, cell.dataValidation);
        else if (top === "dataValidation") sheet.validations.delete(k);
      }
      if (top !== "*" && top !== "userEnteredValue" && top !== "userEnteredFormat" && top !== "dataValidation" && top !== "note")
        bad(`Invalid field mask path '${path.join(".")}' for CellData.`);
    }
  }
}

function parseMask(fields: string, where: string): string[][] {
  const out: string[][] = [];
  for (const f of fields.split(",")) {
    const t = f.trim();
    if (t === "") bad(`Invalid ${where}: empty field mask entry.`);
    out.push(t.split("."));
  }
  return out;
}

function getPath(o: Json, path: string[]): Json {
  let cur = o;
  for (const p of path) cur = cur?.[p];
  return cur;
}
/** A copy of `o` with `path` set to `v` (or removed when undefined); only the objects along the path are copied. */
function withPath(o: Json, path: string[], v: Json): Json {
  const [head, ...rest] = path as [string, ...string[]];
  const out = { ...o };
  if (rest.length === 0) {
    if (v === undefined) delete out[head];
    else out[head] = v;
  } else out[head] = withPath(o?.[head] ?? {}, rest, v);
  return out;
}

const CONDITION_TYPES = new Set([
  "NUMBER_GREATER", "NUMBER_GREATER_THAN_EQ", "NUMBER_LESS", "NUMBER_LESS_THAN_EQ", "NUMBER_EQ", "NUMBER_NOT_EQ", "NUMBER_BETWEEN",
  "NUMBER_NOT_BETWEEN", "TEXT_CONTAINS", "TEXT_NOT_CONTAINS", "TEXT_STARTS_WITH", "TEXT_ENDS_WITH", "TEXT_EQ", "TEXT_IS_EMAIL",
  "TEXT_IS_URL", "DATE_EQ", "DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER", "DATE_BETWEEN", "DATE_NOT_BETWEEN",
  "DATE_IS_VALID", "ONE_OF_RANGE", "ONE_OF_LIST", "BLANK", "NOT_BLANK", "CUSTOM_FORMULA", "BOOLEAN", "TEXT_NOT_EQ", "DATE_NOT_EQ",
  "FILTER_EXPRESSION",
]);

function checkCondition(cond: Json, where: string, conditionalFormat: boolean): void {
  if (!cond?.type) bad(`Invalid ${where}: type is required.`);
  if (!CONDITION_TYPES.has(cond.type)) bad(`Invalid value at '${where}.type' (type.googleapis.com/google.apps.sheets.v4.ConditionType), "${cond.type}"`);
  const values: Json[] = cond.values ?? [];
  if (cond.type === "CUSTOM_FORMULA") {
    if (values.length !== 1) bad(`Invalid ${where}: CUSTOM_FORMULA takes exactly one value.`);
    const f = String(values[0]?.userEnteredValue ?? "");
    if (!f.startsWith("=")) bad(`Invalid ${where}: the formula must start with "=".`);
    if (/![A-Z$]/.test(f.replace(/"[^"]*"/g, "")) && conditionalFormat) bad(`Invalid ${where}: conditional format formulas cannot reference other sheets.`);
  }
  if (cond.type === "ONE_OF_LIST" && values.length === 0) bad(`Invalid ${where}: ONE_OF_LIST needs at least one value.`);
  for (const v of values) if (v.userEnteredValue === undefined && v.relativeDate === undefined) bad(`Invalid ${where}: each value needs userEnteredValue.`);
}
