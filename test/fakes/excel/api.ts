// The Excel JavaScript API surface over the model, with Office.js's batching discipline: calls are queued,
// run in order on sync(), and a property can be read only after it was loaded and synced.
import { contains, intersect, MAX_COLS, MAX_ROWS, parseAddress, quoteSheet, rectAddress, rectCols, rectRows, type Rect } from "./address.js";
import { ErrorCodes, OfficeError } from "./errors.js";
import type { CellStyle, CfModel, ChangeEvent, ChartModel, SheetModel, TableModel, ValidationModel, Value, WorkbookModel } from "./model.js";

export const PAYLOAD_LIMIT = 5 * 1024 * 1024;
/** Chart types whose series, title and axes the API does not reach. */
const NEW_CHART_TYPES = new Set(["Funnel", "Waterfall", "Sunburst", "Treemap", "Histogram", "Pareto", "BoxWhisker", "RegionMap"]);
/** Reading more cells than this in one load is refused before allocating (it could never fit in a response). */
const MAX_READ_CELLS = 5_000_000;

type Tree = Map<string, Tree>;

interface Action {
  wire: unknown;
  exec: () => void;
}

interface Staged {
  obj: ClientObject;
  name: string;
  value: unknown;
}

const utf8 = new TextEncoder();

function parseLoad(spec: unknown): Tree {
  const tree: Tree = new Map();
  const add = (path: string): void => {
    let node = tree;
    for (const part of path.split("/").map((p) => p.trim())) {
      if (part === "") continue;
      let next = node.get(part);
      if (!next) {
        next = new Map();
        node.set(part, next);
      }
      node = next;
    }
  };
  if (typeof spec === "string") spec.split(",").forEach(add);
  else if (Array.isArray(spec)) for (const s of spec) add(String(s));
  else if (spec !== undefined) throw new OfficeError(ErrorCodes.invalidArgument, "load() takes a string or an array of property names in this model");
  return tree;
}

export class Context {
  private queue: Action[] = [];
  private staged: Staged[] = [];
  closed = false;
  /** True while a sync runs the queue (proxies made then belong to that sync's loads). */
  executing = false;
  calcSuspended = false;
  screenSuspended = false;
  private events: { sheet: SheetModel; event: ChangeEvent }[] = [];
  readonly workbook: Workbook;
  readonly application: Application;
  readonly runtime: Runtime;

  constructor(readonly model: WorkbookModel) {
    this.workbook = new Workbook(this, "workbook");
    this.application = this.workbook.application;
    this.runtime = new Runtime(this, "runtime");
  }

  enqueue(wire: unknown, exec: () => void): void {
    if (this.closed) throw new OfficeError(ErrorCodes.invalidObjectPath, "The object was used outside its Excel.run (its request context has ended).");
    this.queue.push({ wire, exec });
  }

  stage(obj: ClientObject, name: string, value: unknown): void {
    this.staged.push({ obj, name, value });
  }

  /** Records that cells changed through the API (Excel raises onChanged for an add-in's own writes). */
  wrote(sheet: SheetModel, rect: Rect): void {
    if (!this.model.eventsEnabled) return;
    this.model.stats.writesWithEventsOn += rectRows(rect) * rectCols(rect);
    this.events.push({
      sheet,
      event: { address: rectAddress(rect), changeType: "RangeEdited", source: "Local", triggerSource: "ThisLocalAddin", worksheetId: sheet.id },
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  async sync(): Promise<void> {
    if (this.closed) throw new OfficeError(ErrorCodes.invalidObjectPath, "sync() after the Excel.run ended.");
    const actions = this.queue;
    this.queue = [];
    this.staged = [];
    this.events = [];
    const stats = this.model.stats;
    stats.syncs++;
    const request = utf8.encode(JSON.stringify(actions.map((a) => a.wire))).length;
    stats.requestBytes.push(request);
    await Promise.resolve();
    if (request > PAYLOAD_LIMIT)
      throw new OfficeError(ErrorCodes.requestPayloadSizeLimitExceeded, `The request payload size (${request} bytes) has exceeded the limit.`);
    // While a person edits a cell, Excel runs no API call at all: the whole batch is refused (office-js#625, #3388).
    if (this.model.cellEditMode)
      throw new OfficeError(
        ErrorCodes.invalidOperationInCellEditMode,
        "Excel is in cell-editing mode. Please exit the edit mode by pressing ENTER or TAB or selecting another cell, and then try again.",
      );
    this.executing = true;
    try {
      for (const a of actions) a.exec();
    } finally {
      this.executing = false;
      if (this.calcSuspended) stats.calcSuspended++;
      if (this.screenSuspended) stats.screenSuspended++;
      this.calcSuspended = false;
      this.screenSuspended = false;
      const events = this.events;
      this.events = [];
      for (const { sheet, event } of events) this.model.emit(sheet, event);
      if (actions.length > 0) this.model.changed();
    }
    const response = utf8.encode(JSON.stringify(this.staged.map((s) => (s.name === "items" ? null : s.value)))).length;
    stats.responseBytes.push(response);
    if (response > PAYLOAD_LIMIT)
      throw new OfficeError(ErrorCodes.responsePayloadSizeLimitExceeded, `The response payload size (${response} bytes) has exceeded the limit.`);
    for (const s of this.staged) s.obj.commit(s.name, s.value);
    this.staged = [];
  }
}

/** Base of every proxy: lazy resolution against the model, loads, and the not-loaded check. */
export abstract class ClientObject {
  private loaded = new Map<string, unknown>();
  private children = new Map<string, ClientObject>();

  constructor(
    readonly context: Context,
    readonly path: string,
  ) {}

  /** Scalar properties that load() may fetch. */
  protected abstract scalars(): Record<string, () => unknown>;
  /** Navigation properties: child proxies that a load path may go through. */
  protected navs(): Record<string, () => ClientObject> {
    return {};
  }

  /** Navigation properties return the same proxy every time, so what was loaded through it can be read from it. */
  protected child<T extends ClientObject>(name: string, make: () => T): T {
    let c = this.children.get(name);
    if (!c) {
      c = make();
      this.children.set(name, c);
    }
    return c as T;
  }

  commit(name: string, value: unknown): void {
    this.loaded.set(name, value);
  }

  protected get<T>(name: string): T {
    if (!this.loaded.has(name))
      throw new OfficeError(
        ErrorCodes.propertyNotLoaded,
        `The property '${name}' is not available. Before reading the property's value, call the load method on the containing object and call "context.sync()" on the associated request context.`,
        `${this.constructor.name}.${name}`,
      );
    return this.loaded.get(name) as T;
  }

  protected queue(method: string, args: unknown[], exec: () => void): void {
    this.context.enqueue({ p: this.path, m: method, a: args }, exec);
  }

  protected setter(name: string, value: unknown, apply: (v: unknown) => void): void {
    this.queue(`=${name}`, [value], () => apply(value));
  }

  load(spec?: string | string[]): this {
    const tree = parseLoad(spec);
    this.queue("load", [spec ?? null], () => this.applyLoad(tree));
    return this;
  }

  /** Runs during sync: computes the requested values and stages them. */
  applyLoad(tree: Tree): void {
    const scalars = this.scalars();
    const navs = this.navs();
    if (tree.size === 0) {
      for (const [name, read] of Object.entries(scalars)) this.context.stage(this, name, read());
      return;
    }
    for (const [name, sub] of tree) {
      const read = scalars[name];
      const nav = navs[name];
      if (read) this.context.stage(this, name, read());
      else if (nav) nav().applyLoad(sub);
      else throw new OfficeError(ErrorCodes.invalidArgument, `Cannot load '${name}' on ${this.constructor.name}.`, `${this.constructor.name}.load`);
    }
  }
}

/** Objects returned by *OrNullObject: isNullObject is known after the next sync. */
abstract class Nullable<T> extends ClientObject {
  private memo: { v: T | null } | null = null;
  constructor(
    context: Context,
    path: string,
    private readonly find: () => T | null,
    private readonly nullable: boolean,
  ) {
    super(context, path);
    if (nullable && !context.executing) this.queue("isNullObject", [], () => this.context.stage(this, "isNullObject", this.resolveOrNull() === null));
  }
  get isNullObject(): boolean {
    return this.nullable ? this.get<boolean>("isNullObject") : false;
  }
  protected resolveOrNull(): T | null {
    if (!this.memo) this.memo = { v: this.find() };
    return this.memo.v;
  }
  /** For the sync that creates the object (add()): fixes what the proxy points at. */
  bind(v: T): void {
    this.memo = { v };
  }
  target(): T {
    const v = this.resolveOrNull();
    if (v === null)
      throw new OfficeError(this.nullable ? ErrorCodes.invalidOperation : ErrorCodes.itemNotFound, `${this.constructor.name} at ${this.path} does not exist.`, this.path);
    return v;
  }
  override applyLoad(tree: Tree): void {
    const missing = this.resolveOrNull() === null;
    if (this.nullable) this.context.stage(this, "isNullObject", missing);
    if (missing) {
      if (this.nullable) return;
      this.target();
    }
    super.applyLoad(tree);
  }
}

// ------------------------------------------------------------------ workbook, sheets

export class Workbook extends ClientObject {
  readonly worksheets: WorksheetCollection;
  readonly application: Application;
  readonly tables: TableCollection;
  readonly names: NamedItemCollection;
  constructor(context: Context, path: string) {
    super(context, path);
    this.worksheets = new WorksheetCollection(context, `${path}.worksheets`);
    this.application = new Application(context, `${path}.application`);
    this.tables = new TableCollection(context, `${path}.tables`, () => null);
    this.names = new NamedItemCollection(context, `${path}.names`);
  }
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  protected override navs(): Record<string, () => ClientObject> {
    return { worksheets: () => this.worksheets, tables: () => this.tables, names: () => this.names };
  }
  getSelectedRange(): Range {
    const m = this.context.model;
    return new Range(this.context, `${this.path}.getSelectedRange()`, () => {
      const sel = m.selection;
      const sheet = (sel && m.byId(sel.sheetId)) ?? m.active();
      return { sheet, rect: sel?.rect ?? { r0: 0, c0: 0, r1: 0, c1: 0 } };
    });
  }
}

export class WorksheetCollection extends ClientObject {
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  override applyLoad(tree: Tree): void {
    const sub = tree.get("items") ?? new Map();
    const items = this.context.model.sheets.map((s) => new Worksheet(this.context, `ws(${JSON.stringify(s.name)})`, () => s, false));
    for (const it of items) it.applyLoad(sub);
    this.context.stage(this, "items", items);
  }
  get items(): Worksheet[] {
    return this.get<Worksheet[]>("items");
  }
  getItem(name: string): Worksheet {
    return new Worksheet(this.context, `ws(${JSON.stringify(name)})`, () => this.context.model.sheet(name) ?? null, false);
  }
  getItemOrNullObject(name: string): Worksheet {
    return new Worksheet(this.context, `ws?(${JSON.stringify(name)})`, () => this.context.model.sheet(name) ?? null, true);
  }
  getActiveWorksheet(): Worksheet {
    return new Worksheet(this.context, "activeWorksheet", () => this.context.model.active(), false);
  }
  add(name: string): Worksheet {
    const ws = new Worksheet(this.context, `ws(${JSON.stringify(name)})`, () => this.context.model.sheet(name) ?? null, false);
    this.queue("add", [name], () => {
      if (this.context.model.sheet(name)) throw new OfficeError(ErrorCodes.itemAlreadyExists, `A sheet named "${name}" already exists.`, "WorksheetCollection.add");
      if (name.length > 31 || /[\\/?*[\]:]/.test(name)) throw new OfficeError(ErrorCodes.invalidArgument, `"${name}" is not a valid sheet name.`, "WorksheetCollection.add");
      ws.bind(this.context.model.addSheet(name));
    });
    return ws;
  }
}

export class Worksheet extends Nullable<SheetModel> {
  readonly onChanged = new EventHandlers(this.context, `${this.path}.onChanged`, () => this.target());
  protected scalars(): Record<string, () => unknown> {
    return {
      name: () => this.target().name,
      id: () => this.target().id,
      visibility: () => this.target().visibility,
      position: () => this.context.model.sheets.indexOf(this.target()),
    };
  }
  protected override navs(): Record<string, () => ClientObject> {
    return { charts: () => this.charts, tables: () => this.tables };
  }
  get name(): string {
    return this.get("name");
  }
  get id(): string {
    return this.get("id");
  }
  get visibility(): string {
    return this.get("visibility");
  }
  set visibility(v: string) {
    this.setter("visibility", v, () => {
      if (!["Visible", "Hidden", "VeryHidden"].includes(v)) throw new OfficeError(ErrorCodes.invalidArgument, `visibility ${v}`, "Worksheet.visibility");
      const s = this.target();
      if (v !== "Visible" && this.context.model.sheets.filter((x) => x.visibility === "Visible" && x !== s).length === 0)
        throw new OfficeError(ErrorCodes.invalidOperation, "A workbook must keep at least one visible sheet.", "Worksheet.visibility");
      s.visibility = v as SheetModel["visibility"];
      if (v !== "Visible" && this.context.model.activeSheetId === s.id) {
        const next = this.context.model.sheets.find((x) => x.visibility === "Visible");
        if (next) this.context.model.activeSheetId = next.id;
      }
    });
  }
  get position(): number {
    return this.get("position");
  }
  get charts(): ChartCollection {
    return this.child("charts", () =>
      new ChartCollection(this.context, `${this.path}.charts`, () => this.target()));
  }
  get tables(): TableCollection {
    return this.child("tables", () =>
      new TableCollection(this.context, `${this.path}.tables`, () => this.target()));
  }
  activate(): void {
    this.queue("activate", [], () => {
      const s = this.target();
      if (s.visibility !== "Visible") throw new OfficeError(ErrorCodes.invalidOperation, "A hidden sheet cannot be activated.", "Worksheet.activate");
      this.context.model.activeSheetId = s.id;
    });
  }
  delete(): void {
    this.queue("delete", [], () => {
      const s = this.target();
      const m = this.context.model;
      m.sheets.splice(m.sheets.indexOf(s), 1);
      if (m.activeSheetId === s.id) m.activeSheetId = m.sheets[0]?.id ?? "";
    });
  }
  getRange(address?: string): Range {
    return new Range(this.context, `${this.path}.getRange(${JSON.stringify(address ?? "")})`, () => {
      const sheet = this.target();
      if (address === undefined || address === "") return { sheet, rect: { r0: 0, c0: 0, r1: MAX_ROWS - 1, c1: MAX_COLS - 1 } };
      const p = parseAddress(address);
      if (!p || (p.sheet !== null && p.sheet.toLowerCase() !== sheet.name.toLowerCase()))
        throw new OfficeError(ErrorCodes.invalidArgument, `The address "${address}" is not valid on this sheet.`, "Worksheet.getRange");
      return { sheet, rect: p.rect };
    });
  }
  getRangeByIndexes(row: number, col: number, rows: number, cols: number): Range {
    return new Range(this.context, `${this.path}.getRangeByIndexes(${row},${col},${rows},${cols})`, () => {
      if (!(rows >= 1 && cols >= 1 && row >= 0 && col >= 0 && row + rows <= MAX_ROWS && col + cols <= MAX_COLS) || ![row, col, rows, cols].every(Number.isInteger))
        throw new OfficeError(ErrorCodes.invalidArgument, `getRangeByIndexes(${row}, ${col}, ${rows}, ${cols}) is outside the sheet.`, "Worksheet.getRangeByIndexes");
      return { sheet: this.target(), rect: { r0: row, c0: col, r1: row + rows - 1, c1: col + cols - 1 } };
    });
  }
  getUsedRange(valuesOnly = false): Range {
    return new Range(this.context, `${this.path}.getUsedRange(${valuesOnly})`, () => {
      const sheet = this.target();
      return { sheet, rect: sheet.usedRect(valuesOnly) ?? { r0: 0, c0: 0, r1: 0, c1: 0 } };
    });
  }
  getUsedRangeOrNullObject(valuesOnly = false): Range {
    return new Range(
      this.context,
      `${this.path}.getUsedRangeOrNullObject(${valuesOnly})`,
      () => {
        const sheet = this.target();
        const rect = sheet.usedRect(valuesOnly);
        return rect ? { sheet, rect } : null;
      },
      true,
    );
  }
}

// ------------------------------------------------------------------ ranges

interface Where {
  sheet: SheetModel;
  rect: Rect;
}

function shapeOf(v: unknown, rows: number, cols: number, what: string): unknown[][] {
  if (!Array.isArray(v) || v.length !== rows || !v.every((r) => Array.isArray(r) && r.length === cols))
    throw new OfficeError(
      ErrorCodes.invalidArgument,
      `The number of rows or columns in the input array doesn't match the size or dimensions of the range (${what}: ${rows}×${cols} expected).`,
      `Range.${what}`,
    );
  return v as unknown[][];
}

function checkCell(v: unknown, what: string): void {
  if (v === null || typeof v === "string" || typeof v === "boolean") return;
  if (typeof v === "number" && Number.isFinite(v)) return;
  throw new OfficeError(ErrorCodes.invalidArgument, `A cell value of type ${typeof v} (${String(v)}) cannot be written to ${what}.`, `Range.${what}`);
}

export class Range extends Nullable<Where> {
  constructor(context: Context, path: string, find: () => Where | null, nullable = false) {
    super(context, path, find, nullable);
  }
  protected scalars(): Record<string, () => unknown> {
    const read = (f: (s: SheetModel, r: number, c: number) => unknown) => (): unknown[][] => {
      const { sheet, rect } = this.target();
      if (rectRows(rect) * rectCols(rect) > MAX_READ_CELLS)
        throw new OfficeError(ErrorCodes.responsePayloadSizeLimitExceeded, "The response payload size has exceeded the limit.", "Range.load");
      const out: unknown[][] = [];
      for (let r = rect.r0; r <= rect.r1; r++) {
        const row: unknown[] = new Array<unknown>(rectCols(rect));
        for (let c = rect.c0; c <= rect.c1; c++) row[c - rect.c0] = f(sheet, r, c);
        out.push(row);
      }
      return out;
    };
    return {
      address: () => {
        const { sheet, rect } = this.target();
        return `${quoteSheet(sheet.name)}!${rectAddress(rect)}`;
      },
      rowIndex: () => this.target().rect.r0,
      columnIndex: () => this.target().rect.c0,
      rowCount: () => rectRows(this.target().rect),
      columnCount: () => rectCols(this.target().rect),
      values: read((s, r, c) => s.value(r, c)),
      formulas: read((s, r, c) => s.formula(r, c) ?? s.value(r, c)),
      numberFormat: read((s, r, c) => s.numberFormat(r, c)),
    };
  }
  protected override navs(): Record<string, () => ClientObject> {
    return { format: () => this.format, worksheet: () => this.worksheet };
  }
  get address(): string {
    return this.get("address");
  }
  get rowIndex(): number {
    return this.get("rowIndex");
  }
  get columnIndex(): number {
    return this.get("columnIndex");
  }
  get rowCount(): number {
    return this.get("rowCount");
  }
  get columnCount(): number {
    return this.get("columnCount");
  }
  get values(): Value[][] {
    return this.get("values");
  }
  set values(v: unknown[][]) {
    this.setter("values", v, () => this.writeCells(v, "values", (s, r, c, x) => s.write(r, c, x)));
  }
  get formulas(): unknown[][] {
    return this.get("formulas");
  }
  set formulas(v: unknown[][]) {
    this.setter("formulas", v, () =>
      this.writeCells(v, "formulas", (s, r, c, x) => {
        if (typeof x === "string" && x.startsWith("=") && x.length > 1) s.writeFormula(r, c, x, "#CALC!");
        else s.write(r, c, x);
      }),
    );
  }
  get numberFormat(): string[][] {
    return this.get("numberFormat");
  }
  set numberFormat(v: unknown[][]) {
    this.setter("numberFormat", v, () => {
      const { sheet, rect } = this.target();
      const rows = shapeOf(v, rectRows(rect), rectCols(rect), "numberFormat");
      rows.forEach((row, i) =>
        row.forEach((f, j) => {
          if (f === null) return;
          if (typeof f !== "string") throw new OfficeError(ErrorCodes.invalidArgument, "numberFormat must hold strings.", "Range.numberFormat");
          sheet.setNumberFormat(rect.r0 + i, rect.c0 + j, f);
        }),
      );
    });
  }
  private writeCells(v: unknown, what: string, put: (s: SheetModel, r: number, c: number, x: unknown) => void): void {
    const { sheet, rect } = this.target();
    const rows = shapeOf(v, rectRows(rect), rectCols(rect), what);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as unknown[];
      for (let j = 0; j < row.length; j++) {
        const x = row[j];
        checkCell(x, what);
        // Office.js leaves a cell alone when its entry is null.
        if (x !== null) put(sheet, rect.r0 + i, rect.c0 + j, x);
      }
    }
    this.context.wrote(sheet, rect);
  }
  /** ExcelApi 1.7: a link on every cell of the range; its text replaces the values. */
  set hyperlink(link: { documentReference?: string; address?: string; textToDisplay?: string }) {
    this.setter("hyperlink", link, () => {
      if (!this.context.model.supports("ExcelApi", "1.7")) throw new OfficeError(ErrorCodes.invalidOperation, "Range.hyperlink needs ExcelApi 1.7.", "Range.hyperlink");
      const ref = link.documentReference;
      if (ref !== undefined && parseAddress(ref)?.sheet === null)
        throw new OfficeError(ErrorCodes.invalidArgument, `documentReference ${ref} needs a sheet name.`, "Range.hyperlink");
      const { sheet, rect } = this.target();
      for (let r = rect.r0; r <= rect.r1; r++)
        for (let c = rect.c0; c <= rect.c1; c++) {
          sheet.links.set(r * MAX_COLS + c, { ...link });
          if (link.textToDisplay !== undefined) sheet.write(r, c, link.textToDisplay);
        }
    });
  }
  get format(): RangeFormat {
    return this.child("format", () =>
      new RangeFormat(this.context, `${this.path}.format`, () => this.target()));
  }
  get worksheet(): Worksheet {
    return this.child("worksheet", () =>
      new Worksheet(this.context, `${this.path}.worksheet`, () => this.target().sheet, false));
  }
  get conditionalFormats(): ConditionalFormatCollection {
    return this.child("conditionalFormats", () =>
      new ConditionalFormatCollection(this.context, `${this.path}.conditionalFormats`, () => this.target()));
  }
  get dataValidation(): DataValidation {
    return this.child("dataValidation", () =>
      new DataValidation(this.context, `${this.path}.dataValidation`, () => this.target()));
  }
  private derive(name: string, args: unknown[], f: (w: Where) => Rect | null, nullable = false): Range {
    return new Range(
      this.context,
      `${this.path}.${name}(${args.map((a) => JSON.stringify(a instanceof Range ? a.path : a)).join(",")})`,
      () => {
        const w = this.target();
        const rect = f(w);
        if (rect === null) {
          if (nullable) return null;
          throw new OfficeError(ErrorCodes.invalidArgument, `${name} gives no range here.`, `Range.${name}`);
        }
        if (rect.r0 < 0 || rect.c0 < 0 || rect.r1 >= MAX_ROWS || rect.c1 >= MAX_COLS || rect.r1 < rect.r0 || rect.c1 < rect.c0)
          throw new OfficeError(ErrorCodes.invalidArgument, `${name} goes outside the sheet.`, `Range.${name}`);
        return { sheet: w.sheet, rect };
      },
      nullable,
    );
  }
  private other(x: Range | string, sheet: SheetModel): Rect {
    if (typeof x === "string") {
      const p = parseAddress(x);
      if (!p) throw new OfficeError(ErrorCodes.invalidArgument, `Bad address ${x}`, "Range");
      return p.rect;
    }
    const w = x.target();
    if (w.sheet !== sheet) throw new OfficeError(ErrorCodes.invalidArgument, "The ranges are on different sheets.", "Range");
    return w.rect;
  }
  getCell(row: number, col: number): Range {
    return this.derive("getCell", [row, col], ({ rect }) => ({ r0: rect.r0 + row, c0: rect.c0 + col, r1: rect.r0 + row, c1: rect.c0 + col }));
  }
  getRow(i: number): Range {
    return this.derive("getRow", [i], ({ rect }) => (i < rectRows(rect) ? { ...rect, r0: rect.r0 + i, r1: rect.r0 + i } : null));
  }
  getColumn(i: number): Range {
    return this.derive("getColumn", [i], ({ rect }) => (i < rectCols(rect) ? { ...rect, c0: rect.c0 + i, c1: rect.c0 + i } : null));
  }
  getLastRow(): Range {
    return this.derive("getLastRow", [], ({ rect }) => ({ ...rect, r0: rect.r1 }));
  }
  getOffsetRange(rows: number, cols: number): Range {
    return this.derive("getOffsetRange", [rows, cols], ({ rect }) => ({ r0: rect.r0 + rows, c0: rect.c0 + cols, r1: rect.r1 + rows, c1: rect.c1 + cols }));
  }
  getResizedRange(rows: number, cols: number): Range {
    return this.derive("getResizedRange", [rows, cols], ({ rect }) => ({ ...rect, r1: rect.r1 + rows, c1: rect.c1 + cols }));
  }
  getAbsoluteResizedRange(rows: number, cols: number): Range {
    return this.derive("getAbsoluteResizedRange", [rows, cols], ({ rect }) => ({ ...rect, r1: rect.r0 + rows - 1, c1: rect.c0 + cols - 1 }));
  }
  getBoundingRect(x: Range | string): Range {
    return this.derive("getBoundingRect", [x], ({ sheet, rect }) => {
      const o = this.other(x, sheet);
      return { r0: Math.min(rect.r0, o.r0), c0: Math.min(rect.c0, o.c0), r1: Math.max(rect.r1, o.r1), c1: Math.max(rect.c1, o.c1) };
    });
  }
  getIntersection(x: Range | string): Range {
    return this.derive("getIntersection", [x], ({ sheet, rect }) => intersect(rect, this.other(x, sheet)));
  }
  getIntersectionOrNullObject(x: Range | string): Range {
    return this.derive("getIntersectionOrNullObject", [x], ({ sheet, rect }) => intersect(rect, this.other(x, sheet)), true);
  }
  select(): void {
    this.queue("select", [], () => {
      const { sheet, rect } = this.target();
      if (sheet.visibility !== "Visible") throw new OfficeError(ErrorCodes.invalidOperation, "Cannot select on a hidden sheet.", "Range.select");
      this.context.model.activeSheetId = sheet.id;
      this.context.model.selection = { sheetId: sheet.id, rect };
    });
  }
  clear(applyTo: "All" | "Contents" | "Formats" = "All"): void {
    this.queue("clear", [applyTo], () => {
      const { sheet, rect } = this.target();
      sheet.clear(rect, applyTo);
      if (applyTo !== "Formats") this.context.wrote(sheet, rect);
    });
  }
}

export class RangeFormat extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly where: () => Where,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return { columnWidth: () => this.where().sheet.colWidths.get(this.where().rect.c0) ?? 48 };
  }
  get font(): RangeFont {
    return this.child("font", () =>
      new RangeFont(this.context, `${this.path}.font`, this.where));
  }
  get fill(): RangeFill {
    return this.child("fill", () =>
      new RangeFill(this.context, `${this.path}.fill`, this.where));
  }
  get columnWidth(): number {
    return this.get("columnWidth");
  }
  set columnWidth(w: number) {
    this.setter("columnWidth", w, () => {
      const { sheet, rect } = this.where();
      for (let c = rect.c0; c <= rect.c1; c++) sheet.colWidths.set(c, w);
    });
  }
}

const MAX_STYLED_CELLS = 1_000_000;
function styleCells(where: Where, apply: (s: CellStyle) => void): void {
  const { sheet, rect } = where;
  if (rectRows(rect) * rectCols(rect) > MAX_STYLED_CELLS) throw new Error("the model styles at most a million cells per call; use a bounded range");
  for (let r = rect.r0; r <= rect.r1; r++) for (let c = rect.c0; c <= rect.c1; c++) apply(sheet.style(r, c));
}

export class RangeFont extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly where: () => Where,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    const s = (): CellStyle => {
      const w = this.where();
      return w.sheet.styles.get(w.rect.r0 * MAX_COLS + w.rect.c0) ?? {};
    };
    return { bold: () => s().bold ?? false, italic: () => s().italic ?? false, size: () => s().size ?? 11, color: () => s().fontColor ?? "#000000" };
  }
  set bold(v: boolean) {
    this.setter("bold", v, () => styleCells(this.where(), (s) => (s.bold = v)));
  }
  get bold(): boolean {
    return this.get("bold");
  }
  set italic(v: boolean) {
    this.setter("italic", v, () => styleCells(this.where(), (s) => (s.italic = v)));
  }
  get italic(): boolean {
    return this.get("italic");
  }
  set size(v: number) {
    this.setter("size", v, () => styleCells(this.where(), (s) => (s.size = v)));
  }
  get size(): number {
    return this.get("size");
  }
  set color(v: string) {
    this.setter("color", v, () => styleCells(this.where(), (s) => (s.fontColor = v)));
  }
  get color(): string {
    return this.get("color");
  }
}

export class RangeFill extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly where: () => Where,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return {
      color: () => {
        const w = this.where();
        return w.sheet.styles.get(w.rect.r0 * MAX_COLS + w.rect.c0)?.fill ?? "#FFFFFF";
      },
    };
  }
  set color(v: string) {
    this.setter("color", v, () => styleCells(this.where(), (s) => (s.fill = v)));
  }
  get color(): string {
    return this.get("color");
  }
}

// ------------------------------------------------------------------ conditional formats

export class ConditionalFormatCollection extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly where: () => Where,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  private hits(): CfModel[] {
    const { sheet, rect } = this.where();
    return sheet.cfs.filter((cf) => intersect(cf.rect, rect) !== null);
  }
  override applyLoad(tree: Tree): void {
    const sub = tree.get("items") ?? new Map();
    const { sheet } = this.where();
    // A rule whose cells were split (formats cleared in the middle) is one rule over several areas: listed once.
    const items = this.hits().filter((cf, i, all) => all.findIndex((x) => x.id === cf.id) === i).map((cf) => new ConditionalFormat(this.context, `cf(${cf.id})`, () => sheet.cfs.find((x) => x.id === cf.id) ?? null, sheet));
    for (const it of items) it.applyLoad(sub);
    this.context.stage(this, "items", items);
  }
  get items(): ConditionalFormat[] {
    return this.get<ConditionalFormat[]>("items");
  }
  getItem(id: string): ConditionalFormat {
    return this.byId(id, false);
  }
  getItemOrNullObject(id: string): ConditionalFormat {
    return this.byId(id, true);
  }
  private byId(id: string, nullable: boolean): ConditionalFormat {
    const find = (): CfModel | null => {
      const { sheet } = this.where();
      return sheet.cfs.find((cf) => String(cf.id) === id) ?? null;
    };
    const holder = { sheet: null as SheetModel | null };
    return new ConditionalFormat(this.context, `${this.path}.getItem(${JSON.stringify(id)})`, () => {
      holder.sheet = this.where().sheet;
      return find();
    }, null, holder, nullable);
  }
  add(type: string): ConditionalFormat {
    const holder: { sheet: SheetModel | null } = { sheet: null };
    const cf = new ConditionalFormat(this.context, `${this.path}.add(${JSON.stringify(type)})`, () => null, null, holder);
    this.queue("add", [type], () => {
      if (type !== "Custom") throw new OfficeError(ErrorCodes.invalidArgument, `This model adds only Custom conditional formats, not ${type}.`, "ConditionalFormatCollection.add");
      const { sheet, rect } = this.where();
      const model: CfModel = { id: this.context.model.newId(), rect, type: "Custom", formula: "", operator: "", fill: null, fontColor: null, stopIfTrue: false };
      // Excel puts a new rule at the top of the priority list.
      sheet.cfs.unshift(model);
      holder.sheet = sheet;
      cf.bind(model);
    });
    return cf;
  }
  clearAll(): void {
    this.queue("clearAll", [], () => {
      const { sheet, rect } = this.where();
      sheet.cfs = sheet.cfs.filter((cf) => intersect(cf.rect, rect) === null);
    });
  }
}

export class ConditionalFormat extends Nullable<CfModel> {
  constructor(
    context: Context,
    path: string,
    find: () => CfModel | null,
    private sheet: SheetModel | null,
    private readonly holder: { sheet: SheetModel | null } | null = null,
    nullable = false,
  ) {
    super(context, path, find, nullable);
  }
  private owner(): SheetModel {
    const s = this.sheet ?? this.holder?.sheet ?? null;
    if (!s) throw new OfficeError(ErrorCodes.invalidObjectPath, "conditional format has no sheet", this.path);
    return s;
  }
  /**
   * Excel fails to read a rule's details when a second cell-value rule covers the same cells (office-js#6827,
   * #6835); its id and type still load.
   */
  private unreadable(): boolean {
    const me = this.resolveOrNull();
    if (!me || me.type !== "CellValue") return false;
    return this.owner().cfs.some((o) => o !== me && o.type === "CellValue" && intersect(o.rect, me.rect) !== null);
  }
  override applyLoad(tree: Tree): void {
    const details = [...tree.keys()].some((k) => !["id", "type", "priority", "stopIfTrue"].includes(k));
    if ((tree.size === 0 || details) && this.unreadable())
      throw new OfficeError(ErrorCodes.generalException, "There was an internal error while processing the request.", "ConditionalFormat.load");
    super.applyLoad(tree);
  }
  protected scalars(): Record<string, () => unknown> {
    return {
      type: () => this.target().type,
      priority: () => this.owner().cfs.indexOf(this.target()),
      stopIfTrue: () => this.target().stopIfTrue,
      id: () => String(this.target().id),
    };
  }
  protected override navs(): Record<string, () => ClientObject> {
    return { custom: () => this.custom, customOrNullObject: () => this.customOrNullObject };
  }
  get type(): string {
    return this.get("type");
  }
  get id(): string {
    return this.get("id");
  }
  get priority(): number {
    return this.get("priority");
  }
  set priority(p: number) {
    this.setter("priority", p, () => {
      const list = this.owner().cfs;
      const me = this.target();
      list.splice(list.indexOf(me), 1);
      list.splice(Math.max(0, Math.min(p, list.length)), 0, me);
    });
  }
  set stopIfTrue(v: boolean) {
    this.setter("stopIfTrue", v, () => (this.target().stopIfTrue = v));
  }
  get custom(): CustomConditionalFormat {
    return this.child("custom", () =>
      new CustomConditionalFormat(this.context, `${this.path}.custom`, () => {
        const t = this.target();
        if (t.type !== "Custom") throw new OfficeError(ErrorCodes.invalidArgument, "This conditional format is not of type Custom.", "ConditionalFormat.custom");
        return t;
      }, false));
  }
  get customOrNullObject(): CustomConditionalFormat {
    return this.child("customOrNullObject", () =>
      new CustomConditionalFormat(this.context, `${this.path}.customOrNullObject`, () => {
        const t = this.target();
        return t.type === "Custom" ? t : null;
      }, true));
  }
  /** The areas of this rule (several once its cells were split). */
  private parts(): CfModel[] {
    const me = this.target();
    return this.owner().cfs.filter((x) => x.id === me.id);
  }
  /** Throws when the rule covers several areas, as Excel does (getRangeOrNullObject answers a null object then). */
  getRange(): Range {
    return new Range(this.context, `${this.path}.getRange()`, () => {
      const parts = this.parts();
      if (parts.length > 1) throw new OfficeError(ErrorCodes.invalidOperation, "The conditional format is applied to multiple ranges.", "ConditionalFormat.getRange");
      return { sheet: this.owner(), rect: this.target().rect };
    });
  }
  getRangeOrNullObject(): Range {
    return new Range(this.context, `${this.path}.getRangeOrNullObject()`, () => (this.parts().length > 1 ? null : { sheet: this.owner(), rect: this.target().rect }), true);
  }
  delete(): void {
    this.queue("delete", [], () => {
      const me = this.target();
      const s = this.owner();
      const parts = this.parts();
      // office-js#5222: deleting a rule that shares a cell with another rule fails with ItemNotFound.
      if (s.cfs.some((o) => o.id !== me.id && parts.some((p) => intersect(o.rect, p.rect) !== null)))
        throw new OfficeError(ErrorCodes.itemNotFound, "Item Not Found.", "ConditionalFormat.delete");
      s.cfs = s.cfs.filter((x) => x.id !== me.id);
    });
  }
  /** ExcelApi 1.17: moves the rule onto other cells (how a rule is updated without delete()). */
  setRanges(ranges: Range | string): void {
    this.queue("setRanges", [typeof ranges === "string" ? ranges : ranges.path], () => {
      if (!this.context.model.supports("ExcelApi", "1.17"))
        throw new OfficeError(ErrorCodes.invalidOperation, "ConditionalFormat.setRanges needs ExcelApi 1.17.", "ConditionalFormat.setRanges");
      const me = this.target();
      const rect = typeof ranges === "string" ? parseAddress(ranges)?.rect : ranges.target().rect;
      if (!rect) throw new OfficeError(ErrorCodes.invalidArgument, `Bad range ${String(ranges)}`, "ConditionalFormat.setRanges");
      me.rect = rect;
      // One area again: the other parts of a split rule go.
      const s = this.owner();
      s.cfs = s.cfs.filter((x) => x === me || x.id !== me.id);
    });
  }
}

export class CustomConditionalFormat extends Nullable<CfModel> {
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  protected override navs(): Record<string, () => ClientObject> {
    return { rule: () => this.rule, format: () => this.format };
  }
  get rule(): ConditionalFormatRule {
    return this.child("rule", () =>
      new ConditionalFormatRule(this.context, `${this.path}.rule`, () => this.target()));
  }
  get format(): ConditionalRangeFormat {
    return this.child("format", () =>
      new ConditionalRangeFormat(this.context, `${this.path}.format`, () => this.target()));
  }
}

export class ConditionalFormatRule extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly cf: () => CfModel,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return { formula: () => this.cf().formula };
  }
  get formula(): string {
    return this.get("formula");
  }
  set formula(f: string) {
    this.setter("formula", f, () => {
      if (typeof f !== "string" || !f.startsWith("=")) throw new OfficeError(ErrorCodes.invalidArgument, "A conditional format formula starts with =.", "ConditionalFormatRule.formula");
      this.cf().formula = f;
    });
  }
}

export class ConditionalRangeFormat extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly cf: () => CfModel,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  get fill(): { color: string } {
    const set = (v: string): void => this.setter("fill.color", v, () => (this.cf().fill = v));
    return {
      set color(v: string) {
        set(v);
      },
      get color(): string {
        throw new OfficeError(ErrorCodes.propertyNotLoaded, "fill.color is write-only in this model", "ConditionalRangeFill.color");
      },
    };
  }
  get font(): { color: string } {
    const set = (v: string): void => this.setter("font.color", v, () => (this.cf().fontColor = v));
    return {
      set color(v: string) {
        set(v);
      },
      get color(): string {
        throw new OfficeError(ErrorCodes.propertyNotLoaded, "font.color is write-only in this model", "ConditionalRangeFont.color");
      },
    };
  }
}

// ------------------------------------------------------------------ data validation

export class DataValidation extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly where: () => Where,
  ) {
    super(context, path);
  }
  private current(): ReturnType<SheetModel["validationOf"]> {
    const { sheet, rect } = this.where();
    return sheet.validationOf(rect);
  }
  protected scalars(): Record<string, () => unknown> {
    const one = <T>(f: (v: ValidationModel) => T, none: T) => (): T => {
      const v = this.current();
      return typeof v === "string" ? none : f(v);
    };
    return {
      type: () => {
        const v = this.current();
        if (v === "none") return "None";
        if (v === "mixed") return "Inconsistent";
        return "list" in v.rule ? "List" : "Custom";
      },
      rule: one((v) => structuredClone(v.rule), {}),
      prompt: one((v) => ({ ...v.prompt }), { title: "", message: "", showPrompt: false }),
      errorAlert: one((v) => ({ ...v.errorAlert }), { title: "", message: "", showAlert: true, style: "Stop" }),
      ignoreBlanks: one((v) => v.ignoreBlanks, true),
    };
  }
  get type(): string {
    return this.get("type");
  }
  get prompt(): { title: string; message: string; showPrompt: boolean } {
    return this.get("prompt");
  }
  get rule(): Record<string, unknown> {
    return this.get("rule");
  }
  set rule(rule: Record<string, unknown>) {
    this.setter("rule", rule, () => {
      const list = rule.list as { source?: unknown; inCellDropDown?: unknown } | undefined;
      if (!list || typeof list.source !== "string" || list.source.length > 255)
        throw new OfficeError(ErrorCodes.invalidArgument, "A list rule needs a source of at most 255 characters.", "DataValidation.rule");
      const { sheet, rect } = this.where();
      if (sheet.validationOf(rect) !== "none")
        throw new OfficeError(ErrorCodes.invalidOperation, "The range already has data validation; clear it first.", "DataValidation.rule");
      sheet.validations.push({
        rect,
        rule: structuredClone(rule),
        prompt: { title: "", message: "", showPrompt: false },
        errorAlert: { title: "", message: "", showAlert: true, style: "Stop" },
        ignoreBlanks: true,
      });
    });
  }
  private update(name: string, value: unknown, f: (v: ValidationModel) => void): void {
    this.setter(name, value, () => {
      const { sheet, rect } = this.where();
      const hits = sheet.validations.filter((v) => contains(rect, v.rect) || contains(v.rect, rect));
      if (hits.length === 0) throw new OfficeError(ErrorCodes.invalidOperation, `Set the rule before ${name}.`, `DataValidation.${name}`);
      hits.forEach(f);
    });
  }
  set prompt(p: { title?: string; message?: string; showPrompt?: boolean }) {
    this.update("prompt", p, (v) => (v.prompt = { ...v.prompt, ...p }));
  }
  get errorAlert(): { title: string; message: string; showAlert: boolean; style: string } {
    return this.get("errorAlert");
  }
  set errorAlert(e: { title?: string; message?: string; showAlert?: boolean; style?: string }) {
    this.update("errorAlert", e, (v) => (v.errorAlert = { ...v.errorAlert, ...e }));
  }
  set ignoreBlanks(b: boolean) {
    this.update("ignoreBlanks", b, (v) => (v.ignoreBlanks = b));
  }
  clear(): void {
    this.queue("clear", [], () => {
      const { sheet, rect } = this.where();
      sheet.clearValidation(rect);
    });
  }
}

// ------------------------------------------------------------------ charts

export class ChartCollection extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly sheet: () => SheetModel,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  override applyLoad(tree: Tree): void {
    const sub = tree.get("items") ?? new Map();
    const s = this.sheet();
    const items = s.charts.map((ch) => new Chart(this.context, `chart(${ch.id})`, () => s.charts.find((x) => x.id === ch.id) ?? null, false, s));
    for (const it of items) it.applyLoad(sub);
    this.context.stage(this, "items", items);
  }
  get items(): Chart[] {
    return this.get<Chart[]>("items");
  }
  getItem(name: string): Chart {
    const s = (): SheetModel => this.sheet();
    return new Chart(this.context, `${this.path}.getItem(${JSON.stringify(name)})`, () => s().charts.find((c) => c.name === name) ?? null, false, null, { get sheet() { return s(); } });
  }
  add(type: string, source: Range, seriesBy = "Auto"): Chart {
    const holder: { sheet: SheetModel | null } = { sheet: null };
    const chart = new Chart(this.context, `${this.path}.add(${JSON.stringify(type)})`, () => null, false, null, holder);
    this.queue("add", [type, source.path, seriesBy], () => {
      const m = this.context.model;
      if (!m.charts) throw new OfficeError(ErrorCodes.generalException, "There was an internal error while processing the request.", "ChartCollection.add");
      if (type === "Funnel" && (!m.funnel || !m.supports("ExcelApi", "1.9")))
        throw new OfficeError(ErrorCodes.invalidArgument, "The chart type Funnel is not supported here.", "ChartCollection.add");
      const s = this.sheet();
      const src = source.target();
      if (src.sheet !== s) throw new OfficeError(ErrorCodes.invalidArgument, "Chart data must be on the chart's sheet in this model.", "ChartCollection.add");
      const model: ChartModel = { id: m.newId(), name: `Chart ${s.charts.length + 1}`, type, source: src.rect, xValues: null, title: "", anchor: null, width: 360, height: 216, reversed: false };
      s.charts.push(model);
      holder.sheet = s;
      chart.bind(model);
    });
    return chart;
  }
}

export class Chart extends Nullable<ChartModel> {
  constructor(
    context: Context,
    path: string,
    find: () => ChartModel | null,
    nullable: boolean,
    private readonly sheet: SheetModel | null,
    private readonly holder: { sheet: SheetModel | null } | null = null,
  ) {
    super(context, path, find, nullable);
  }
  private owner(): SheetModel {
    const s = this.sheet ?? this.holder?.sheet ?? null;
    if (!s) throw new OfficeError(ErrorCodes.invalidObjectPath, "chart has no sheet", this.path);
    return s;
  }
  protected scalars(): Record<string, () => unknown> {
    return { name: () => this.target().name, chartType: () => this.target().type };
  }
  get name(): string {
    return this.get("name");
  }
  set name(n: string) {
    this.setter("name", n, () => (this.target().name = n));
  }
  get chartType(): string {
    return this.get("chartType");
  }
  /** Funnel, waterfall, sunburst and the other newer chart types have no series or title object in the API (office-js-docs#910). */
  private noSeries(what: string): void {
    if (NEW_CHART_TYPES.has(this.target().type))
      throw new OfficeError(ErrorCodes.unsupportedOperation, "This operation is not implemented.", `Chart.${what}`);
  }
  get title(): { text: string } {
    const set = (v: string): void =>
      this.setter("title.text", v, () => {
        this.noSeries("title");
        this.target().title = v;
      });
    return {
      set text(v: string) {
        set(v);
      },
      get text(): string {
        throw new OfficeError(ErrorCodes.propertyNotLoaded, "title.text is write-only in this model", "ChartTitle.text");
      },
    };
  }
  set width(w: number) {
    this.setter("width", w, () => (this.target().width = w));
  }
  set height(h: number) {
    this.setter("height", h, () => (this.target().height = h));
  }
  setPosition(start: Range | string): void {
    this.queue("setPosition", [typeof start === "string" ? start : start.path], () => {
      const rect = typeof start === "string" ? parseAddress(start)?.rect : start.target().rect;
      if (!rect) throw new OfficeError(ErrorCodes.invalidArgument, `Bad anchor ${String(start)}`, "Chart.setPosition");
      this.target().anchor = rect;
    });
  }
  get series(): { getItemAt(i: number): { setXAxisValues(r: Range): void } } {
    return {
      getItemAt: (i: number) => ({
        setXAxisValues: (r: Range) =>
          this.queue("series.setXAxisValues", [i, r.path], () => {
            this.noSeries("series");
            if (i !== 0) throw new OfficeError(ErrorCodes.itemNotFound, "This model's charts have one series.", "ChartSeries");
            this.target().xValues = r.target().rect;
          }),
      }),
    };
  }
  get axes(): { categoryAxis: { reversePlotOrder: boolean } } {
    const set = (v: boolean): void =>
      this.setter("axes.categoryAxis.reversePlotOrder", v, () => {
        if (!this.context.model.supports("ExcelApi", "1.7"))
          throw new OfficeError(ErrorCodes.invalidOperation, "reversePlotOrder needs ExcelApi 1.7.", "ChartAxis.reversePlotOrder");
        this.noSeries("axes");
        this.target().reversed = v;
      });
    return {
      categoryAxis: {
        set reversePlotOrder(v: boolean) {
          set(v);
        },
        get reversePlotOrder(): boolean {
          throw new OfficeError(ErrorCodes.propertyNotLoaded, "reversePlotOrder is write-only in this model", "ChartAxis.reversePlotOrder");
        },
      },
    };
  }
  delete(): void {
    this.queue("delete", [], () => {
      const me = this.target();
      const s = this.owner();
      s.charts = s.charts.filter((c) => c !== me);
    });
  }
}

// ------------------------------------------------------------------ tables

/** The workbook's defined names (ExcelApi 1.4), read only in this model. */
export class NamedItemCollection extends ClientObject {
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  override applyLoad(tree: Tree): void {
    const sub = tree.get("items") ?? new Map();
    const items = this.context.model.definedNames.map((n) => new NamedItem(this.context, `name(${JSON.stringify(n)})`, n));
    for (const it of items) it.applyLoad(sub);
    this.context.stage(this, "items", items);
  }
  get items(): NamedItem[] {
    return this.get<NamedItem[]>("items");
  }
}

export class NamedItem extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly itemName: string,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return { name: () => this.itemName };
  }
  get name(): string {
    return this.get("name");
  }
}

export class TableCollection extends ClientObject {
  constructor(
    context: Context,
    path: string,
    private readonly sheet: () => SheetModel | null,
  ) {
    super(context, path);
  }
  protected scalars(): Record<string, () => unknown> {
    return {};
  }
  override applyLoad(tree: Tree): void {
    const sub = tree.get("items") ?? new Map();
    const only = this.sheet();
    const pairs: { s: SheetModel; t: TableModel }[] = [];
    for (const s of only ? [only] : this.context.model.sheets) for (const t of s.tables) pairs.push({ s, t });
    const items = pairs.map(({ s, t }) => new Table(this.context, `table(${JSON.stringify(t.name)})`, () => ({ s, t }), false));
    for (const it of items) it.applyLoad(sub);
    this.context.stage(this, "items", items);
  }
  get items(): Table[] {
    return this.get<Table[]>("items");
  }
  /** Excel refuses a table over another table and a name used anywhere in the workbook. */
  add(address: Range | string, hasHeaders: boolean): Table {
    const holder: { t: { s: SheetModel; t: TableModel } | null } = { t: null };
    const table = new Table(this.context, `${this.path}.add(${JSON.stringify(typeof address === "string" ? address : address.path)})`, () => holder.t, false);
    this.queue("add", [typeof address === "string" ? address : address.path, hasHeaders], () => {
      let where: { sheet: SheetModel; rect: Rect };
      if (typeof address === "string") {
        const p = parseAddress(address);
        const sheet = p?.sheet ? this.context.model.sheet(p.sheet) : this.sheet();
        if (!p || !sheet) throw new OfficeError(ErrorCodes.invalidArgument, `Bad table address ${address}`, "TableCollection.add");
        where = { sheet, rect: p.rect };
      } else where = address.target();
      const { sheet, rect } = where;
      if (sheet.tables.some((t) => intersect(t.rect, rect) !== null)) throw new OfficeError(ErrorCodes.invalidOperation, "A table can't overlap another table.", "TableCollection.add");
      // Excel's default name is the first TableN no table in the workbook has (names are unique, case aside).
      const names = new Set([...this.context.model.sheets.flatMap((s) => s.tables.map((t) => t.name.toLowerCase())), ...this.context.model.definedNames.map((d) => d.toLowerCase())]);
      let n = 1;
      while (names.has(`table${n}`)) n++;
      const model: TableModel = { name: `Table${n}`, rect };
      sheet.tables.push(model);
      holder.t = { s: sheet, t: model };
      table.bind(holder.t);
    });
    return table;
  }
}

export class Table extends Nullable<{ s: SheetModel; t: TableModel }> {
  protected scalars(): Record<string, () => unknown> {
    return { name: () => this.target().t.name };
  }
  protected override navs(): Record<string, () => ClientObject> {
    return { worksheet: () => this.worksheet };
  }
  get name(): string {
    return this.get("name");
  }
  set name(n: string) {
    this.setter("name", n, () => {
      const me = this.target().t;
      if (!/^[A-Za-z_\\][A-Za-z0-9_.]*$/.test(n)) throw new OfficeError(ErrorCodes.invalidArgument, `"${n}" is not a valid table name.`, "Table.name");
      // Tables and defined names share one name space in Excel, case aside.
      const taken =
        this.context.model.sheets.some((s) => s.tables.some((t) => t !== me && t.name.toLowerCase() === n.toLowerCase())) ||
        this.context.model.definedNames.some((d) => d.toLowerCase() === n.toLowerCase());
      if (taken) throw new OfficeError(ErrorCodes.invalidArgument, `A table named ${n} already exists.`, "Table.name");
      me.name = n;
    });
  }
  set style(v: string) {
    this.setter("style", v, () => (this.target().t.style = v));
  }
  delete(): void {
    this.queue("delete", [], () => {
      const { s, t } = this.target();
      s.tables = s.tables.filter((x) => x !== t);
    });
  }
  get worksheet(): Worksheet {
    return this.child("worksheet", () =>
      new Worksheet(this.context, `${this.path}.worksheet`, () => this.target().s, false));
  }
  getRange(): Range {
    return new Range(this.context, `${this.path}.getRange()`, () => ({ sheet: this.target().s, rect: this.target().t.rect }));
  }
  getHeaderRowRange(): Range {
    return new Range(this.context, `${this.path}.getHeaderRowRange()`, () => {
      const { s, t } = this.target();
      return { sheet: s, rect: { ...t.rect, r1: t.rect.r0 } };
    });
  }
}

// ------------------------------------------------------------------ application, runtime, events

export class Application extends ClientObject {
  protected scalars(): Record<string, () => unknown> {
    return { calculationMode: () => "Automatic" };
  }
  suspendApiCalculationUntilNextSync(): void {
    this.queue("suspendApiCalculationUntilNextSync", [], () => (this.context.calcSuspended = true));
  }
  suspendScreenUpdatingUntilNextSync(): void {
    this.queue("suspendScreenUpdatingUntilNextSync", [], () => {
      if (!this.context.model.supports("ExcelApi", "1.9"))
        throw new OfficeError(ErrorCodes.invalidOperation, "suspendScreenUpdatingUntilNextSync needs ExcelApi 1.9.", "Application.suspendScreenUpdatingUntilNextSync");
      this.context.screenSuspended = true;
    });
  }
  calculate(type: string): void {
    this.queue("calculate", [type], () => undefined);
  }
}

export class Runtime extends ClientObject {
  protected scalars(): Record<string, () => unknown> {
    return { enableEvents: () => this.context.model.eventsEnabled };
  }
  get enableEvents(): boolean {
    return this.get("enableEvents");
  }
  set enableEvents(v: boolean) {
    this.setter("enableEvents", v, () => (this.context.model.eventsEnabled = v));
  }
}

export interface EventArgs extends ChangeEvent {
  type: "WorksheetChanged";
}

export class EventHandlers {
  constructor(
    private readonly context: Context,
    private readonly path: string,
    private readonly sheet: () => SheetModel,
  ) {}
  add(handler: (e: EventArgs) => unknown): { context: Context; remove(): void } {
    let registered: ((e: ChangeEvent) => unknown) | null = null;
    let owner: SheetModel | null = null;
    const wrapped = (e: ChangeEvent): unknown => handler({ ...e, type: "WorksheetChanged" });
    this.context.enqueue({ p: this.path, m: "add", a: [] }, () => {
      owner = this.sheet();
      owner.handlers.add(wrapped);
      registered = wrapped;
    });
    return {
      context: this.context,
      remove: () => {
        this.context.enqueue({ p: this.path, m: "remove", a: [] }, () => {
          if (owner && registered) owner.handlers.delete(registered);
        });
      },
    };
  }
}
