// The in-memory workbook behind the strict Excel fake and the playground: cells, formats, rules, charts, events.
// Plain data and plain functions only (no Node APIs), so the same model runs in a browser.
import { colLetters, contains, intersect, MAX_COLS, subtract, type Rect } from "./address.js";
import { coerceInput, type Value } from "./coerce.js";

export type { Rect, Value };

export interface CellStyle {
  bold?: boolean;
  italic?: boolean;
  size?: number;
  fill?: string;
  fontColor?: string;
}

export interface CfModel {
  id: number;
  rect: Rect;
  type: "Custom" | "CellValue" | "ContainsText";
  /** Custom: the formula; CellValue: formula1 of the rule; ContainsText: the text. */
  formula: string;
  operator: string;
  fill: string | null;
  fontColor: string | null;
  stopIfTrue: boolean;
}

export interface ValidationModel {
  rect: Rect;
  rule: Record<string, unknown>;
  prompt: { title: string; message: string; showPrompt: boolean };
  errorAlert: { title: string; message: string; showAlert: boolean; style: string };
  ignoreBlanks: boolean;
}

export interface ChartModel {
  id: number;
  name: string;
  type: string;
  source: Rect;
  xValues: Rect | null;
  title: string;
  anchor: Rect | null;
  width: number;
  height: number;
  /** Category axis drawn in reverse (bar charts: the first category on top). */
  reversed?: boolean;
}

export interface TableModel {
  name: string;
  rect: Rect;
  style?: string;
}

/** Range.hyperlink: a link to a place in the workbook, or to an address. */
export interface LinkModel {
  documentReference?: string;
  address?: string;
  textToDisplay?: string;
}

export interface ChangeEvent {
  address: string;
  changeType: "RangeEdited";
  source: "Local" | "Remote";
  triggerSource: "ThisLocalAddin" | "Unknown";
  worksheetId: string;
  details?: { valueBefore: Value; valueAfter: Value };
}

export type ChangeHandler = (e: ChangeEvent) => unknown;

const key = (r: number, c: number): number => r * MAX_COLS + c;

export class SheetModel {
  /** Dense rows of values; "" is an empty cell. */
  readonly values: Value[][] = [];
  readonly formulas = new Map<number, string>();
  readonly numberFormats: (string | undefined)[][] = [];
  readonly styles = new Map<number, CellStyle>();
  readonly colWidths = new Map<number, number>();
  /** Index 0 has the highest priority. */
  cfs: CfModel[] = [];
  validations: ValidationModel[] = [];
  charts: ChartModel[] = [];
  tables: TableModel[] = [];
  /** Hyperlinks by cell (row × MAX_COLS + col). */
  readonly links = new Map<number, LinkModel>();
  readonly handlers = new Set<ChangeHandler>();
  visibility: "Visible" | "Hidden" | "VeryHidden" = "Visible";

  constructor(
    readonly id: string,
    public name: string,
  ) {}

  link(r: number, c: number): LinkModel | undefined {
    return this.links.get(key(r, c));
  }
  value(r: number, c: number): Value {
    return this.values[r]?.[c] ?? "";
  }
  formula(r: number, c: number): string | undefined {
    return this.formulas.get(key(r, c));
  }
  numberFormat(r: number, c: number): string {
    return this.numberFormats[r]?.[c] ?? "General";
  }

  setNumberFormat(r: number, c: number, f: string): void {
    let row = this.numberFormats[r];
    if (!row) {
      row = [];
      this.numberFormats[r] = row;
    }
    row[c] = f === "General" ? undefined : f;
  }

  /** Stores one written value the way Excel does (typed-input rules for strings). */
  write(r: number, c: number, input: unknown): void {
    let row = this.values[r];
    if (!row) {
      row = [];
      this.values[r] = row;
    }
    const k = key(r, c);
    if (typeof input === "string") {
      const s = coerceInput(input, this.numberFormats[r]?.[c]);
      row[c] = s.value;
      if (s.formula === null) this.formulas.delete(k);
      else this.formulas.set(k, s.formula);
      if (s.autoFormat !== null && this.numberFormat(r, c) === "General") this.setNumberFormat(r, c, s.autoFormat);
    } else if (typeof input === "number" || typeof input === "boolean") {
      row[c] = input;
      this.formulas.delete(k);
    } else {
      throw new TypeError(`unsupported cell value ${String(input)}`);
    }
  }

  /** A formula cell with the value it shows (the model does not calculate). */
  writeFormula(r: number, c: number, formula: string, shown: Value): void {
    let row = this.values[r];
    if (!row) {
      row = [];
      this.values[r] = row;
    }
    row[c] = shown;
    this.formulas.set(key(r, c), formula);
  }

  clear(rect: Rect, what: "All" | "Contents" | "Formats"): void {
    const lastRow = Math.min(rect.r1, Math.max(this.values.length, this.numberFormats.length) - 1);
    for (let r = rect.r0; r <= lastRow; r++) {
      const row = this.values[r];
      const fmt = this.numberFormats[r];
      const last = Math.min(rect.c1, Math.max(row?.length ?? 0, fmt?.length ?? 0) - 1);
      for (let c = rect.c0; c <= last; c++) {
        if (what !== "Formats") {
          if (row && c < row.length) row[c] = "";
          this.formulas.delete(key(r, c));
        }
        if (what !== "Contents") {
          if (fmt && c < fmt.length) fmt[c] = undefined;
        }
      }
    }
    if (what !== "Contents") {
      for (const k of [...this.styles.keys()]) {
        const r = Math.floor(k / MAX_COLS);
        const c = k % MAX_COLS;
        if (r >= rect.r0 && r <= rect.r1 && c >= rect.c0 && c <= rect.c1) this.styles.delete(k);
      }
      this.cfs = this.cfs.flatMap((cf) => subtract(cf.rect, rect).map((part) => ({ ...cf, rect: part })));
    }
    if (what === "All") this.clearValidation(rect);
    if (what !== "Formats") for (const k of [...this.links.keys()]) if (contains(rect, { r0: Math.floor(k / MAX_COLS), c0: k % MAX_COLS, r1: Math.floor(k / MAX_COLS), c1: k % MAX_COLS })) this.links.delete(k);
  }

  style(r: number, c: number): CellStyle {
    const k = key(r, c);
    let s = this.styles.get(k);
    if (!s) {
      s = {};
      this.styles.set(k, s);
    }
    return s;
  }

  /** Bounding box of non-empty values and formulas (Excel's getUsedRange(true)); null when the sheet is blank. */
  usedRect(valuesOnly: boolean): Rect | null {
    let r0 = Infinity;
    let c0 = Infinity;
    let r1 = -1;
    let c1 = -1;
    const take = (r: number, c: number): void => {
      if (r < r0) r0 = r;
      if (r > r1) r1 = r;
      if (c < c0) c0 = c;
      if (c > c1) c1 = c;
    };
    this.values.forEach((row, r) => {
      for (let c = 0; c < row.length; c++) if (row[c] !== "" && row[c] !== undefined) take(r, c);
    });
    for (const k of this.formulas.keys()) take(Math.floor(k / MAX_COLS), k % MAX_COLS);
    if (!valuesOnly) {
      this.numberFormats.forEach((row, r) => {
        for (let c = 0; c < row.length; c++) if (row[c] !== undefined) take(r, c);
      });
      for (const k of this.styles.keys()) take(Math.floor(k / MAX_COLS), k % MAX_COLS);
    }
    return r1 < 0 ? null : { r0, c0, r1, c1 };
  }

  clearValidation(rect: Rect): void {
    this.validations = this.validations.flatMap((v) => subtract(v.rect, rect).map((part) => ({ ...v, rect: part })));
  }

  /** The validation covering all of `rect`, "none", or "mixed". */
  validationOf(rect: Rect): ValidationModel | "none" | "mixed" {
    const hits = this.validations.filter((v) => intersect(v.rect, rect) !== null);
    if (hits.length === 0) return "none";
    const first = hits[0] as ValidationModel;
    if (hits.length === 1 && contains(first.rect, rect)) return first;
    return "mixed";
  }
}

export interface ModelOptions {
  /** Requirement sets the host reports, e.g. { ExcelApi: "1.9" }. */
  apiSets?: Record<string, string>;
  /** False models a host where charts.add("Funnel") fails although ExcelApi 1.9 is reported. */
  funnel?: boolean;
  /** False models a host that refuses every chart (charts.add fails whatever the type). */
  charts?: boolean;
  platform?: string;
}

export interface Stats {
  syncs: number;
  /** UTF-8 bytes of each sync's request and response JSON. */
  requestBytes: number[];
  responseBytes: number[];
  /** Syncs that had API calculation / screen updating suspended. */
  calcSuspended: number;
  screenSuspended: number;
  /** Cell writes that happened while this add-in's events were enabled. */
  writesWithEventsOn: number;
}

const versionAtLeast = (have: string, want: string): boolean => {
  const a = have.split(".").map(Number);
  const b = want.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
};

export class WorkbookModel {
  readonly sheets: SheetModel[] = [];
  activeSheetId = "";
  selection: { sheetId: string; rect: Rect } | null = null;
  readonly apiSets: Record<string, string>;
  readonly funnel: boolean;
  readonly charts: boolean;
  readonly platform: string;
  /** Office.context.document.settings. */
  readonly documentSettings = new Map<string, unknown>();
  /** The workbook's defined names (workbook.names): one name space with table names, case aside. */
  readonly definedNames: string[] = [];
  eventsEnabled = true;
  /** A person is typing in a cell: every sync is refused with InvalidOperationInCellEditMode until it ends. */
  cellEditMode = false;
  stats: Stats = WorkbookModel.emptyStats();
  private nextId = 1;
  /** Called after every change (the playground re-renders). */
  readonly listeners = new Set<() => void>();

  constructor(options: ModelOptions = {}) {
    this.apiSets = options.apiSets ?? { ExcelApi: "1.9" };
    this.funnel = options.funnel ?? true;
    this.charts = options.charts ?? true;
    this.platform = options.platform ?? "OfficeOnline";
  }

  static emptyStats(): Stats {
    return { syncs: 0, requestBytes: [], responseBytes: [], calcSuspended: 0, screenSuspended: 0, writesWithEventsOn: 0 };
  }
  resetStats(): void {
    this.stats = WorkbookModel.emptyStats();
  }

  newId(): number {
    return this.nextId++;
  }

  supports(name: string, version: string): boolean {
    const have = this.apiSets[name];
    return have !== undefined && versionAtLeast(have, version);
  }

  addSheet(name: string): SheetModel {
    if (this.sheet(name)) throw new Error(`sheet ${name} exists`);
    const s = new SheetModel(`{${String(this.newId()).padStart(8, "0")}}`, name);
    this.sheets.push(s);
    if (this.activeSheetId === "") this.activeSheetId = s.id;
    return s;
  }

  sheet(name: string): SheetModel | undefined {
    const lower = name.toLowerCase();
    return this.sheets.find((s) => s.name.toLowerCase() === lower);
  }

  byId(id: string): SheetModel | undefined {
    return this.sheets.find((s) => s.id === id);
  }

  active(): SheetModel {
    const s = this.byId(this.activeSheetId) ?? this.sheets[0];
    if (!s) throw new Error("workbook has no sheets");
    return s;
  }

  /** Fills a sheet from a grid as typed input (strings go through Excel's parsing), starting at A1. */
  load(name: string, grid: readonly (readonly (string | number | boolean | null)[])[]): SheetModel {
    const s = this.sheet(name) ?? this.addSheet(name);
    grid.forEach((row, r) =>
      row.forEach((v, c) => {
        if (v !== null && v !== "") s.write(r, c, v);
      }),
    );
    return s;
  }

  /** A person typing into a cell: Excel's own parsing, then onChanged for the add-in's handlers. */
  userEdit(sheetName: string, r: number, c: number, input: string | number | boolean): void {
    const s = this.sheet(sheetName);
    if (!s) throw new Error(`no sheet ${sheetName}`);
    const before = s.value(r, c);
    s.write(r, c, input);
    const event: ChangeEvent = {
      address: `${colLetters(c)}${r + 1}`,
      changeType: "RangeEdited",
      source: "Local",
      triggerSource: "Unknown",
      worksheetId: s.id,
      details: { valueBefore: before, valueAfter: s.value(r, c) },
    };
    this.changed();
    this.emit(s, event);
  }

  emit(sheet: SheetModel, event: ChangeEvent): void {
    if (!this.eventsEnabled) return;
    for (const h of sheet.handlers) setTimeout(() => void h(event), 0);
  }

  changed(): void {
    for (const l of this.listeners) l();
  }
}
