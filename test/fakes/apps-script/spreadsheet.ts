// A strict in-memory model of SpreadsheetApp's Spreadsheet, Sheet, Range and RangeList: it throws where Apps Script
// throws (shape mismatches, ranges outside the sheet, taken sheet names, writes without the lock it is told to require).
import { enter, isDateFormat, type Stored } from "./entry.js";
import type { Host as Env } from "./host.js";
import { instantFromSerial } from "./time.js";

const KEY = 1 << 15; // columns per row in sparse keys (Sheets allows 18,278)
const key = (r: number, c: number): number => r * KEY + c;

export interface Style {
  bold?: boolean;
  italic?: boolean;
  size?: number;
  background?: string;
  color?: string;
}

export function colName(col: number): string {
  let n = col + 1;
  let s = "";
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function parseCell(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d+)$/i.exec(ref.trim());
  if (!m) return null;
  let c = 0;
  for (const ch of m[1]!.toUpperCase()) c = c * 26 + (ch.charCodeAt(0) - 64);
  return { row: Number(m[2]) - 1, col: c - 1 };
}

/** A1 notation to a 0-based rectangle; whole columns ("D:D") reach the sheet's last row. */
export function parseRange(a1: string, maxRows: number): { r: number; c: number; nr: number; nc: number } {
  const parts = a1.split(":");
  if (parts.length === 2 && /^\$?[A-Z]{1,3}$/i.test(parts[0]!) && /^\$?[A-Z]{1,3}$/i.test(parts[1]!)) {
    const a = parseCell(`${parts[0]}1`)!;
    const b = parseCell(`${parts[1]}1`)!;
    return { r: 0, c: Math.min(a.col, b.col), nr: maxRows, nc: Math.abs(b.col - a.col) + 1 };
  }
  const a = parseCell(parts[0] ?? "");
  const b = parts.length === 2 ? parseCell(parts[1] ?? "") : a;
  if (!a || !b || parts.length > 2) throw new Error(`Exception: Range not found`);
  return { r: Math.min(a.row, b.row), c: Math.min(a.col, b.col), nr: Math.abs(b.row - a.row) + 1, nc: Math.abs(b.col - a.col) + 1 };
}

export class FakeDataValidation {
  constructor(
    readonly list: string[],
    readonly showDropdown: boolean,
    readonly allowInvalid: boolean,
    readonly helpText: string,
    private env: Env,
  ) {}
  getCriteriaType(): string {
    this.env.hit("DataValidation.getCriteriaType");
    return "VALUE_IN_LIST";
  }
  getCriteriaValues(): unknown[] {
    this.env.hit("DataValidation.getCriteriaValues");
    return [[...this.list], this.showDropdown];
  }
  getAllowInvalid(): boolean {
    this.env.hit("DataValidation.getAllowInvalid");
    return this.allowInvalid;
  }
  getHelpText(): string {
    this.env.hit("DataValidation.getHelpText");
    return this.helpText;
  }
  /** A builder holding this rule's criterion and settings. */
  copy(): FakeDataValidationBuilder {
    this.env.hit("DataValidation.copy");
    return new FakeDataValidationBuilder(this.env, { list: [...this.list], dropdown: this.showDropdown, allowInvalid: this.allowInvalid, help: this.helpText });
  }
  describe(): string {
    return JSON.stringify([this.list, this.showDropdown, this.allowInvalid, this.helpText]);
  }
}

export class FakeDataValidationBuilder {
  private list: string[] | null = null;
  private dropdown = true;
  private allowInvalid = true;
  private help = "";
  constructor(
    private env: Env,
    from?: { list: string[]; dropdown: boolean; allowInvalid: boolean; help: string },
  ) {
    if (from) {
      this.list = from.list;
      this.dropdown = from.dropdown;
      this.allowInvalid = from.allowInvalid;
      this.help = from.help;
    }
  }
  requireValueInList(values: unknown, showDropdown?: boolean): this {
    this.env.hit("DataValidationBuilder.requireValueInList");
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) throw new Error("Exception: The parameters don't match the method signature for DataValidationBuilder.requireValueInList.");
    if (values.length > 500) throw new Error("Exception: The data validation rule has more items than the limit of 500.");
    this.list = [...(values as string[])];
    this.dropdown = showDropdown ?? true;
    return this;
  }
  setAllowInvalid(allow: boolean): this {
    this.env.hit("DataValidationBuilder.setAllowInvalid");
    this.allowInvalid = allow;
    return this;
  }
  setHelpText(text: string): this {
    this.env.hit("DataValidationBuilder.setHelpText");
    this.help = text;
    return this;
  }
  build(): FakeDataValidation {
    this.env.hit("DataValidationBuilder.build");
    if (!this.list) throw new Error("Exception: A data validation rule needs a criterion.");
    return new FakeDataValidation(this.list, this.dropdown, this.allowInvalid, this.help, this.env);
  }
}

export class FakeBooleanCondition {
  constructor(
    readonly type: string,
    readonly values: unknown[],
    readonly background: string | null,
    readonly fontColor: string | null,
    private env: Env,
  ) {}
  getCriteriaType(): string {
    this.env.hit("BooleanCondition.getCriteriaType");
    return this.type;
  }
  getCriteriaValues(): unknown[] {
    this.env.hit("BooleanCondition.getCriteriaValues");
    return [...this.values];
  }
  getBackground(): string | null {
    this.env.hit("BooleanCondition.getBackground");
    return this.background;
  }
  getFontColor(): string | null {
    this.env.hit("BooleanCondition.getFontColor");
    return this.fontColor;
  }
}

export class FakeConditionalFormatRule {
  constructor(
    /** null: a gradient (colour scale) rule, which has no boolean condition. */
    readonly condition: { type: string; values: unknown[]; background: string | null; fontColor: string | null } | null,
    readonly ranges: FakeRange[],
    private env: Env,
  ) {}
  getBooleanCondition(): FakeBooleanCondition | null {
    this.env.hit("ConditionalFormatRule.getBooleanCondition");
    const c = this.condition;
    return c ? new FakeBooleanCondition(c.type, c.values, c.background, c.fontColor, this.env) : null;
  }
  getRanges(): FakeRange[] {
    this.env.hit("ConditionalFormatRule.getRanges");
    return [...this.ranges];
  }
  describe(): string {
    return JSON.stringify([this.condition, this.ranges.map((r) => `${r.sheet.name}!${r.getA1NotationQuiet()}`)]);
  }
}

export class FakeConditionalFormatRuleBuilder {
  private condition: { type: string; values: unknown[] } | null = null;
  private background: string | null = null;
  private fontColor: string | null = null;
  private ranges: FakeRange[] = [];
  private gradient = false;
  constructor(private env: Env) {}
  whenFormulaSatisfied(formula: string): this {
    this.env.hit("ConditionalFormatRuleBuilder.whenFormulaSatisfied");
    if (typeof formula !== "string" || !formula.startsWith("=")) throw new Error("Exception: Invalid formula: a custom formula must start with =.");
    this.condition = { type: "CUSTOM_FORMULA", values: [formula] };
    return this;
  }
  whenTextContains(text: string): this {
    this.env.hit("ConditionalFormatRuleBuilder.whenTextContains");
    this.condition = { type: "TEXT_CONTAINS", values: [text] };
    return this;
  }
  setGradientMaxpoint(color: string): this {
    this.env.hit("ConditionalFormatRuleBuilder.setGradientMaxpoint");
    this.gradient = true;
    this.background = color;
    return this;
  }
  setBackground(color: string): this {
    this.env.hit("ConditionalFormatRuleBuilder.setBackground");
    this.background = color;
    return this;
  }
  setFontColor(color: string): this {
    this.env.hit("ConditionalFormatRuleBuilder.setFontColor");
    this.fontColor = color;
    return this;
  }
  setRanges(ranges: FakeRange[]): this {
    this.env.hit("ConditionalFormatRuleBuilder.setRanges");
    if (!Array.isArray(ranges) || ranges.some((r) => !(r instanceof FakeRange))) throw new Error("Exception: The parameters don't match the method signature for ConditionalFormatRuleBuilder.setRanges.");
    this.ranges = [...ranges];
    return this;
  }
  build(): FakeConditionalFormatRule {
    this.env.hit("ConditionalFormatRuleBuilder.build");
    if (this.ranges.length === 0) throw new Error("Exception: Conditional format rule must have at least one range.");
    if (this.gradient) return new FakeConditionalFormatRule(null, this.ranges, this.env);
    if (!this.condition) throw new Error("Exception: Conditional format rule must have a condition.");
    return new FakeConditionalFormatRule({ ...this.condition, background: this.background, fontColor: this.fontColor }, this.ranges, this.env);
  }
}

export class FakeChart {
  constructor(
    readonly type: string,
    readonly ranges: string[],
    readonly row: number,
    readonly col: number,
    readonly options: Record<string, unknown>,
  ) {}
  describe(): string {
    return JSON.stringify([this.type, this.ranges, this.row, this.col, this.options]);
  }
}

export class FakeChartBuilder {
  private type = "UNSET";
  private ranges: string[] = [];
  private pos: [number, number] | null = null;
  private options: Record<string, unknown> = {};
  constructor(
    private sheet: FakeSheet,
    private env: Env,
  ) {}
  asBarChart(): this {
    this.env.hit("EmbeddedChartBuilder.asBarChart");
    this.type = "BAR";
    return this;
  }
  asColumnChart(): this {
    this.env.hit("EmbeddedChartBuilder.asColumnChart");
    this.type = "COLUMN";
    return this;
  }
  addRange(range: FakeRange): this {
    this.env.hit("EmbeddedChartBuilder.addRange");
    if (!(range instanceof FakeRange)) throw new Error("Exception: addRange needs a Range.");
    this.ranges.push(`${range.sheet.name}!${range.getA1NotationQuiet()}`);
    return this;
  }
  setPosition(row: number, col: number, offsetX: number, offsetY: number): this {
    this.env.hit("EmbeddedChartBuilder.setPosition");
    if (row < 1 || col < 1 || row > this.sheet.maxRows || col > this.sheet.maxCols || offsetX < 0 || offsetY < 0)
      throw new Error("Exception: The coordinates of the chart are outside the dimensions of the sheet.");
    this.pos = [row, col];
    return this;
  }
  setOption(option: string, value: unknown): this {
    this.env.hit("EmbeddedChartBuilder.setOption");
    this.options[option] = JSON.parse(JSON.stringify(value)) as unknown;
    return this;
  }
  build(): FakeChart {
    this.env.hit("EmbeddedChartBuilder.build");
    if (this.type === "UNSET" || this.ranges.length === 0 || !this.pos) throw new Error("Exception: The chart needs a type, data ranges and a position.");
    return new FakeChart(this.type, this.ranges, this.pos[0], this.pos[1], this.options);
  }
}

/** A rich text value: its text and, where set, the link the whole text goes to. */
export class FakeRichText {
  constructor(
    readonly text: string,
    readonly link: string | null,
  ) {}
  getText(): string {
    return this.text;
  }
  getLinkUrl(): string | null {
    return this.link;
  }
}

export class FakeRichTextBuilder {
  private text = "";
  private link: string | null = null;
  constructor(private env: Env) {}
  setText(t: string): this {
    this.env.hit("RichTextValueBuilder.setText");
    if (typeof t !== "string") throw new Error("Exception: setText needs a string.");
    this.text = t;
    return this;
  }
  setLinkUrl(url: string | null): this {
    this.env.hit("RichTextValueBuilder.setLinkUrl");
    this.link = url;
    return this;
  }
  build(): FakeRichText {
    this.env.hit("RichTextValueBuilder.build");
    return new FakeRichText(this.text, this.link);
  }
}

/** A sheet's one basic filter (Sheets allows one per sheet) over a range. */
export class FakeFilter {
  constructor(
    readonly sheet: FakeSheet,
    readonly range: string,
  ) {}
  remove(): void {
    if (this.sheet.filter === this) this.sheet.filter = null;
  }
}

export class FakeBanding {
  constructor(
    readonly sheet: FakeSheet,
    readonly range: string,
  ) {}
  remove(): void {
    this.sheet.bandings = this.sheet.bandings.filter((b) => b !== this);
  }
}

export class FakeRange {
  constructor(
    readonly sheet: FakeSheet,
    readonly r: number,
    readonly c: number,
    readonly nr: number,
    readonly nc: number,
    private env: Env,
  ) {}

  getA1NotationQuiet(): string {
    const tl = `${colName(this.c)}${this.r + 1}`;
    return this.nr === 1 && this.nc === 1 ? tl : `${tl}:${colName(this.c + this.nc - 1)}${this.r + this.nr}`;
  }
  getA1Notation(): string {
    this.env.hit("Range.getA1Notation");
    return this.getA1NotationQuiet();
  }
  getRow(): number {
    this.env.hit("Range.getRow");
    return this.r + 1;
  }
  getColumn(): number {
    this.env.hit("Range.getColumn");
    return this.c + 1;
  }
  getLastRow(): number {
    this.env.hit("Range.getLastRow");
    return this.r + this.nr;
  }
  getLastColumn(): number {
    this.env.hit("Range.getLastColumn");
    return this.c + this.nc;
  }
  getNumRows(): number {
    this.env.hit("Range.getNumRows");
    return this.nr;
  }
  getNumColumns(): number {
    this.env.hit("Range.getNumColumns");
    return this.nc;
  }
  getSheet(): FakeSheet {
    this.env.hit("Range.getSheet");
    return this.sheet;
  }

  getValues(): unknown[][] {
    this.env.hit("Range.getValues");
    this.env.spend(this.nr * this.nc * this.env.cost.readCell);
    const out: unknown[][] = new Array(this.nr);
    for (let i = 0; i < this.nr; i++) {
      const row: unknown[] = new Array(this.nc);
      for (let j = 0; j < this.nc; j++) row[j] = this.sheet.valueForScript(this.r + i, this.c + j);
      out[i] = row;
    }
    return out;
  }
  getValue(): unknown {
    this.env.hit("Range.getValue");
    return this.sheet.valueForScript(this.r, this.c);
  }
  private checkShape(data: unknown, what: string): unknown[][] {
    if (!Array.isArray(data)) throw new Error(`Exception: The parameters (${typeof data}) don't match the method signature for SpreadsheetApp.Range.${what}.`);
    if (data.length !== this.nr) throw new Error(`Exception: The number of rows in the data does not match the number of rows in the range. The data has ${data.length} but the range has ${this.nr}.`);
    for (const row of data) {
      if (!Array.isArray(row)) throw new Error(`Exception: The parameters don't match the method signature for SpreadsheetApp.Range.${what}.`);
      if (row.length !== this.nc) throw new Error(`Exception: The number of columns in the data does not match the number of columns in the range. The data has ${row.length} but the range has ${this.nc}.`);
    }
    return data as unknown[][];
  }
  setValues(values: unknown[][]): this {
    this.env.write("Range.setValues");
    const data = this.checkShape(values, "setValues");
    for (const row of data) for (const v of row) if (v === undefined) throw new Error("Exception: The parameters (number[]) don't match the method signature for SpreadsheetApp.Range.setValues.");
    this.env.spend(this.nr * this.nc * this.env.cost.writeCell);
    for (let i = 0; i < this.nr; i++) for (let j = 0; j < this.nc; j++) this.sheet.enterValue(this.r + i, this.c + j, (data[i] as unknown[])[j]);
    return this;
  }
  setRichTextValues(values: FakeRichText[][]): this {
    this.env.write("Range.setRichTextValues");
    const data = this.checkShape(values, "setRichTextValues") as FakeRichText[][];
    for (let i = 0; i < this.nr; i++)
      for (let j = 0; j < this.nc; j++) {
        const v = data[i]?.[j];
        if (!(v instanceof FakeRichText)) throw new Error("Exception: setRichTextValues needs RichTextValues.");
        this.env.quietly(() => this.sheet.range(this.r + i, this.c + j, 1, 1).setRichTextValue(v));
      }
    return this;
  }
  setRichTextValue(v: FakeRichText): this {
    this.env.write("Range.setRichTextValue");
    if (!(v instanceof FakeRichText)) throw new Error("Exception: setRichTextValue needs a RichTextValue.");
    for (let i = 0; i < this.nr; i++)
      for (let j = 0; j < this.nc; j++) {
        // Rich text is always text: nothing in it is read as a number, date or formula.
        this.sheet.formulas.delete(this.sheet.cellKey(this.r + i, this.c + j));
        this.sheet.store(this.r + i, this.c + j, v.text);
        if (v.link === null) this.sheet.links.delete(this.sheet.cellKey(this.r + i, this.c + j));
        else this.sheet.links.set(this.sheet.cellKey(this.r + i, this.c + j), v.link);
      }
    return this;
  }
  createFilter(): FakeFilter {
    this.env.write("Range.createFilter");
    if (this.sheet.filter) throw new Error("Exception: You can't create a filter in a sheet that already has a filter.");
    this.sheet.filter = new FakeFilter(this.sheet, this.getA1NotationQuiet());
    return this.sheet.filter;
  }
  applyRowBanding(theme?: string): FakeBanding {
    this.env.write("Range.applyRowBanding");
    void theme;
    const me = { r0: this.r, r1: this.r + this.nr - 1, c0: this.c, c1: this.c + this.nc - 1 };
    for (const b of this.sheet.bandings) {
      const o = parseRange(b.range, this.sheet.maxRows);
      if (o.r <= me.r1 && me.r0 <= o.r + o.nr - 1 && o.c <= me.c1 && me.c0 <= o.c + o.nc - 1) throw new Error("Exception: You cannot add alternating colors to a range that already has alternating colors.");
    }
    const band = new FakeBanding(this.sheet, this.getA1NotationQuiet());
    this.sheet.bandings.push(band);
    return band;
  }
  setValue(value: unknown): this {
    this.env.write("Range.setValue");
    if (value === undefined) throw new Error("Exception: The parameters () don't match the method signature for SpreadsheetApp.Range.setValue.");
    for (let i = 0; i < this.nr; i++) for (let j = 0; j < this.nc; j++) this.sheet.enterValue(this.r + i, this.c + j, value);
    return this;
  }
  getFormulas(): string[][] {
    this.env.hit("Range.getFormulas");
    this.env.spend(this.nr * this.nc * this.env.cost.readCell);
    return Array.from({ length: this.nr }, (_, i) => Array.from({ length: this.nc }, (_, j) => this.sheet.formulas.get(key(this.r + i, this.c + j)) ?? ""));
  }
  getNumberFormats(): string[][] {
    this.env.hit("Range.getNumberFormats");
    this.env.spend(this.nr * this.nc * this.env.cost.readCell);
    return Array.from({ length: this.nr }, (_, i) => Array.from({ length: this.nc }, (_, j) => this.sheet.formatAt(this.r + i, this.c + j)));
  }
  setNumberFormat(format: string): this {
    this.env.write("Range.setNumberFormat");
    if (typeof format !== "string") throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Range.setNumberFormat.");
    this.env.spend(this.nr * this.nc * this.env.cost.formatCell);
    this.sheet.eachCell(this, (r, c) => this.sheet.setFormat(r, c, format));
    return this;
  }
  setNumberFormats(formats: string[][]): this {
    this.env.write("Range.setNumberFormats");
    const data = this.checkShape(formats, "setNumberFormats");
    this.env.spend(this.nr * this.nc * this.env.cost.formatCell);
    for (let i = 0; i < this.nr; i++) for (let j = 0; j < this.nc; j++) this.sheet.setFormat(this.r + i, this.c + j, String((data[i] as unknown[])[j]));
    return this;
  }
  private style(name: string, patch: Style): this {
    this.env.write(`Range.${name}`);
    this.env.spend(this.nr * this.nc * this.env.cost.formatCell);
    this.sheet.eachCell(this, (r, c) => this.sheet.patchStyle(r, c, patch));
    return this;
  }
  /**
   * The 2-D style setters: one value per cell, shape checked like setValues; null resets that property to the
   * default (Apps Script: "null values reset the font weight" and the like), anything else of the wrong kind throws.
   */
  private styles(name: string, data: unknown, patch: (v: unknown) => Style | null, prop: keyof Style): this {
    this.env.write(`Range.${name}`);
    const rows = this.checkShape(data, name);
    const patches = rows.map((row) => row.map((v) => (v === null ? null : patch(v))));
    this.env.spend(this.nr * this.nc * this.env.cost.formatCell);
    for (let i = 0; i < this.nr; i++)
      for (let j = 0; j < this.nc; j++) {
        const p = (patches[i] as (Style | null)[])[j] ?? null;
        if (p) this.sheet.patchStyle(this.r + i, this.c + j, p);
        else this.sheet.resetStyle(this.r + i, this.c + j, prop);
      }
    return this;
  }
  private static oneOf(name: string, allowed: readonly string[]): (v: unknown) => string {
    return (v) => {
      if (typeof v !== "string" || !allowed.includes(v)) throw new Error(`Exception: Invalid argument: ${name}`);
      return v;
    };
  }
  setFontWeights(weights: unknown[][]): this {
    const check = FakeRange.oneOf("fontWeight", ["bold", "normal"]);
    return this.styles("setFontWeights", weights, (v) => ({ bold: check(v) === "bold" }), "bold");
  }
  setFontStyles(styles: unknown[][]): this {
    const check = FakeRange.oneOf("fontStyle", ["italic", "normal"]);
    return this.styles("setFontStyles", styles, (v) => ({ italic: check(v) === "italic" }), "italic");
  }
  setBackgrounds(colors: unknown[][]): this {
    return this.styles(
      "setBackgrounds",
      colors,
      (v) => {
        if (typeof v !== "string") throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Range.setBackgrounds.");
        return { background: v };
      },
      "background",
    );
  }
  setFontWeight(w: string): this {
    return this.style("setFontWeight", { bold: w === "bold" });
  }
  setFontStyle(s: string): this {
    return this.style("setFontStyle", { italic: s === "italic" });
  }
  setFontSize(n: number): this {
    if (!Number.isFinite(n) || n <= 0) throw new Error("Exception: Invalid font size.");
    return this.style("setFontSize", { size: n });
  }
  setBackground(color: string): this {
    return this.style("setBackground", { background: color });
  }
  setFontColor(color: string): this {
    return this.style("setFontColor", { color });
  }
  setDataValidation(rule: FakeDataValidation | null): this {
    this.env.write("Range.setDataValidation");
    if (rule !== null && !(rule instanceof FakeDataValidation)) throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Range.setDataValidation.");
    this.env.spend(this.nr * this.nc * this.env.cost.formatCell);
    this.sheet.eachCell(this, (r, c) => {
      if (rule) this.sheet.validations.set(key(r, c), rule);
      else this.sheet.validations.delete(key(r, c));
    });
    return this;
  }
  setDataValidations(rules: unknown[][]): this {
    this.env.write("Range.setDataValidations");
    const data = this.checkShape(rules, "setDataValidations");
    for (const row of data)
      for (const v of row)
        if (v !== null && !(v instanceof FakeDataValidation)) throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Range.setDataValidations.");
    this.env.spend(this.nr * this.nc * this.env.cost.formatCell);
    for (let i = 0; i < this.nr; i++)
      for (let j = 0; j < this.nc; j++) {
        const rule = (data[i] as (FakeDataValidation | null)[])[j] ?? null;
        const k = key(this.r + i, this.c + j);
        if (rule) this.sheet.validations.set(k, rule);
        else this.sheet.validations.delete(k);
      }
    return this;
  }
  clearDataValidations(): this {
    this.env.write("Range.clearDataValidations");
    this.sheet.eachCell(this, (r, c) => this.sheet.validations.delete(key(r, c)));
    return this;
  }
  getDataValidation(): FakeDataValidation | null {
    this.env.hit("Range.getDataValidation");
    return this.sheet.validations.get(key(this.r, this.c)) ?? null;
  }
  getDataValidations(): (FakeDataValidation | null)[][] {
    this.env.hit("Range.getDataValidations");
    return Array.from({ length: this.nr }, (_, i) => Array.from({ length: this.nc }, (_, j) => this.sheet.validations.get(key(this.r + i, this.c + j)) ?? null));
  }
  activate(): this {
    this.env.hit("Range.activate");
    this.sheet.book.active = this.sheet;
    this.sheet.book.selection = `${this.sheet.name}!${this.getA1NotationQuiet()}`;
    return this;
  }
}

export class FakeRangeList {
  constructor(
    readonly ranges: FakeRange[],
    private env: Env,
  ) {}
  getRanges(): FakeRange[] {
    this.env.hit("RangeList.getRanges");
    return [...this.ranges];
  }
  private each(name: string, apply: (r: FakeRange) => void): this {
    this.env.write(`RangeList.${name}`);
    this.env.quietly(() => this.ranges.forEach(apply));
    return this;
  }
  setNumberFormat(f: string): this {
    return this.each("setNumberFormat", (r) => r.setNumberFormat(f));
  }
  setFontWeight(w: string): this {
    return this.each("setFontWeight", (r) => r.setFontWeight(w));
  }
  setFontStyle(s: string): this {
    return this.each("setFontStyle", (r) => r.setFontStyle(s));
  }
  setFontSize(n: number): this {
    return this.each("setFontSize", (r) => r.setFontSize(n));
  }
  setBackground(c: string): this {
    return this.each("setBackground", (r) => r.setBackground(c));
  }
}

export class FakeSheet {
  /** Rows of stored values; "" is an empty cell. */
  values: Stored[][] = [];
  formats = new Map<number, string>();
  formulas = new Map<number, string>();
  /** Link URL of each cell whose rich text has one. */
  readonly links = new Map<number, string>();
  filter: FakeFilter | null = null;
  bandings: FakeBanding[] = [];
  styles = new Map<number, Style>();
  validations = new Map<number, FakeDataValidation>();
  rules: FakeConditionalFormatRule[] = [];
  charts: FakeChart[] = [];
  widths = new Map<number, number>();
  hidden = false;

  constructor(
    readonly book: FakeSpreadsheet,
    public name: string,
    readonly id: number,
    public maxRows: number,
    public maxCols: number,
    private env: Env,
  ) {}

  // ---------------------------------------------------------------- model helpers (not Apps Script API)
  formatAt(r: number, c: number): string {
    return this.formats.get(key(r, c)) ?? "0.###############";
  }
  setFormat(r: number, c: number, f: string): void {
    this.formats.set(key(r, c), f);
  }
  patchStyle(r: number, c: number, patch: Style): void {
    this.styles.set(key(r, c), { ...(this.styles.get(key(r, c)) ?? {}), ...patch });
  }
  /** Back to the default for one style property; a cell left with no properties has no style entry at all. */
  resetStyle(r: number, c: number, prop: keyof Style): void {
    const k = key(r, c);
    const s = this.styles.get(k);
    if (!s) return;
    const rest = { ...s };
    delete rest[prop];
    if (Object.keys(rest).length === 0) this.styles.delete(k);
    else this.styles.set(k, rest);
  }
  eachCell(range: FakeRange, fn: (r: number, c: number) => void): void {
    for (let i = 0; i < range.nr; i++) for (let j = 0; j < range.nc; j++) fn(range.r + i, range.c + j);
  }
  raw(r: number, c: number): Stored {
    return this.values[r]?.[c] ?? "";
  }
  cellKey(r: number, c: number): number {
    return key(r, c);
  }
  linkAt(r: number, c: number): string | null {
    return this.links.get(key(r, c)) ?? null;
  }
  /** The formula a cell holds ("=…"), or "" for a plain value. */
  formulaAt(r: number, c: number): string {
    return this.formulas.get(key(r, c)) ?? "";
  }
  /** What getValues hands a script: numbers under a date format become Dates of the script's realm. */
  valueForScript(r: number, c: number): unknown {
    const v = this.raw(r, c);
    if (typeof v === "number" && isDateFormat(this.formats.get(key(r, c)))) return this.env.makeDate(instantFromSerial(v, this.book.zone));
    return v;
  }
  store(r: number, c: number, v: Stored): void {
    let row = this.values[r];
    if (!row) {
      while (this.values.length <= r) this.values.push([]);
      row = this.values[r] as Stored[];
    }
    while (row.length <= c) row.push("");
    row[c] = v;
  }
  enterValue(r: number, c: number, raw: unknown): void {
    const k = key(r, c);
    const e = enter(raw, this.formats.get(k), this.book.zone);
    if (e.formula !== null) {
      // The fake cannot calculate: a formula written back unchanged keeps the value it had.
      const same = this.formulas.get(k) === e.formula;
      this.formulas.set(k, e.formula);
      this.store(r, c, same ? this.raw(r, c) : e.value === "" ? "#FAKE-NOT-CALCULATED" : e.value);
      return;
    }
    this.formulas.delete(k);
    this.store(r, c, e.value);
    if (e.format !== null && !this.formats.has(k)) this.formats.set(k, e.format);
  }
  /** Loads cells as a person would have typed them, without counting: fixtures only. */
  load(grid: unknown[][], at: { row?: number; col?: number } = {}): void {
    const r0 = at.row ?? 0;
    const c0 = at.col ?? 0;
    grid.forEach((row, i) =>
      row.forEach((v, j) => {
        if (v === null || v === undefined || v === "") return;
        if (Object.prototype.toString.call(v) === "[object Date]") {
          const d = v as Date;
          this.store(r0 + i, c0 + j, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 86_400_000 + 25_569);
          this.formats.set(key(r0 + i, c0 + j), "yyyy-mm-dd");
        } else this.store(r0 + i, c0 + j, v as Stored);
      }),
    );
    this.maxRows = Math.max(this.maxRows, r0 + grid.length);
    this.maxCols = Math.max(this.maxCols, c0 + grid.reduce((w, r) => Math.max(w, r.length), 0));
  }
  lastRowQuiet(): number {
    for (let r = this.values.length - 1; r >= 0; r--) {
      const row = this.values[r] as Stored[];
      for (let c = 0; c < row.length; c++) if (row[c] !== "" || this.formulas.has(key(r, c))) return r + 1;
    }
    return 0;
  }
  lastColQuiet(): number {
    let last = 0;
    for (let r = 0; r < this.values.length; r++) {
      const row = this.values[r] as Stored[];
      for (let c = row.length - 1; c >= last; c--)
        if (row[c] !== "" || this.formulas.has(key(r, c))) {
          last = c + 1;
          break;
        }
    }
    return last;
  }
  range(r: number, c: number, nr: number, nc: number): FakeRange {
    if (r < 0 || c < 0) throw new Error("Exception: The starting row or column of the range is too small.");
    if (nr < 1) throw new Error("Exception: The number of rows in the range must be at least 1.");
    if (nc < 1) throw new Error("Exception: The number of columns in the range must be at least 1.");
    if (r + nr > this.maxRows || c + nc > this.maxCols) throw new Error("Exception: The coordinates of the range are outside the dimensions of the sheet.");
    return new FakeRange(this, r, c, nr, nc, this.env);
  }

  // ---------------------------------------------------------------- Apps Script API
  getName(): string {
    this.env.hit("Sheet.getName");
    return this.name;
  }
  getSheetName(): string {
    this.env.hit("Sheet.getSheetName");
    return this.name;
  }
  getSheetId(): number {
    this.env.hit("Sheet.getSheetId");
    return this.id;
  }
  getIndex(): number {
    this.env.hit("Sheet.getIndex");
    return this.book.sheets.indexOf(this) + 1;
  }
  getMaxRows(): number {
    this.env.hit("Sheet.getMaxRows");
    return this.maxRows;
  }
  getMaxColumns(): number {
    this.env.hit("Sheet.getMaxColumns");
    return this.maxCols;
  }
  getLastRow(): number {
    this.env.hit("Sheet.getLastRow");
    return this.lastRowQuiet();
  }
  getLastColumn(): number {
    this.env.hit("Sheet.getLastColumn");
    return this.lastColQuiet();
  }
  insertRowsAfter(after: number, howMany: number): this {
    this.env.write("Sheet.insertRowsAfter");
    if (after !== this.maxRows) throw new Error("fake: only appending rows at the end is modelled");
    if (howMany < 1) throw new Error("Exception: The number of rows to insert must be at least 1.");
    this.maxRows += howMany;
    return this;
  }
  deleteRows(position: number, howMany: number): this {
    this.env.write("Sheet.deleteRows");
    if (howMany < 1 || position < 1 || position + howMany - 1 > this.maxRows) throw new Error("Exception: Those rows are out of bounds.");
    if (howMany >= this.maxRows) throw new Error("Exception: You can't delete all the rows on the sheet.");
    if (position + howMany - 1 !== this.maxRows) throw new Error("fake: only deleting rows at the end is modelled");
    for (let r = position - 1; r < this.maxRows; r++) if (this.lastRowQuiet() > r) throw new Error("fake: deleting rows with content is not modelled");
    this.maxRows -= howMany;
    return this;
  }
  insertColumnsAfter(after: number, howMany: number): this {
    this.env.write("Sheet.insertColumnsAfter");
    if (after !== this.maxCols) throw new Error("fake: only appending columns at the end is modelled");
    if (howMany < 1) throw new Error("Exception: The number of columns to insert must be at least 1.");
    this.maxCols += howMany;
    return this;
  }
  getDataRange(): FakeRange {
    this.env.hit("Sheet.getDataRange");
    return new FakeRange(this, 0, 0, Math.max(1, this.lastRowQuiet()), Math.max(1, this.lastColQuiet()), this.env);
  }
  getRange(a: number | string, b?: number, c?: number, d?: number): FakeRange {
    this.env.hit("Sheet.getRange");
    if (typeof a === "string") {
      const bang = a.lastIndexOf("!");
      const p = parseRange(bang >= 0 ? a.slice(bang + 1) : a, this.maxRows);
      return this.range(p.r, p.c, p.nr, p.nc);
    }
    if (!Number.isInteger(a) || !Number.isInteger(b) || (c !== undefined && !Number.isInteger(c)) || (d !== undefined && !Number.isInteger(d)))
      throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Sheet.getRange.");
    return this.range(a - 1, (b as number) - 1, c ?? 1, d ?? 1);
  }
  getRangeList(a1s: string[]): FakeRangeList {
    this.env.hit("Sheet.getRangeList");
    if (!Array.isArray(a1s) || a1s.length === 0) throw new Error("Exception: A range list needs at least one range.");
    return new FakeRangeList(
      a1s.map((s) => {
        const p = parseRange(s, this.maxRows);
        return this.range(p.r, p.c, p.nr, p.nc);
      }),
      this.env,
    );
  }
  clear(): this {
    this.env.write("Sheet.clear");
    this.values = [];
    this.formats.clear();
    this.formulas.clear();
    this.styles.clear();
    this.links.clear();
    // Like Sheets: clear() leaves the sheet's filter and alternating colours in place.
    return this;
  }
  getFilter(): FakeFilter | null {
    this.env.hit("Sheet.getFilter");
    return this.filter;
  }
  getBandings(): FakeBanding[] {
    this.env.hit("Sheet.getBandings");
    return [...this.bandings];
  }
  getConditionalFormatRules(): FakeConditionalFormatRule[] {
    this.env.hit("Sheet.getConditionalFormatRules");
    return [...this.rules];
  }
  setConditionalFormatRules(rules: FakeConditionalFormatRule[]): void {
    this.env.write("Sheet.setConditionalFormatRules");
    if (!Array.isArray(rules) || rules.some((r) => !(r instanceof FakeConditionalFormatRule))) throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Sheet.setConditionalFormatRules.");
    for (const r of rules) if (r.ranges.some((x) => x.sheet !== this)) throw new Error("Exception: A conditional format rule cannot reference a different sheet.");
    this.rules = [...rules];
  }
  newChart(): FakeChartBuilder {
    this.env.hit("Sheet.newChart");
    return new FakeChartBuilder(this, this.env);
  }
  insertChart(chart: FakeChart): void {
    this.env.write("Sheet.insertChart");
    if (!(chart instanceof FakeChart)) throw new Error("Exception: insertChart needs a built chart.");
    this.charts.push(chart);
  }
  getCharts(): FakeChart[] {
    this.env.hit("Sheet.getCharts");
    return [...this.charts];
  }
  removeChart(chart: FakeChart): void {
    this.env.write("Sheet.removeChart");
    const i = this.charts.indexOf(chart);
    if (i < 0) throw new Error("Exception: The chart is not on this sheet.");
    this.charts.splice(i, 1);
  }
  hideSheet(): this {
    this.env.write("Sheet.hideSheet");
    if (this.book.sheets.filter((s) => !s.hidden && s !== this).length === 0) throw new Error("Exception: You can't hide all the sheets in a document.");
    this.hidden = true;
    if (this.book.active === this) this.book.active = this.book.sheets.find((s) => !s.hidden) ?? this;
    return this;
  }
  showSheet(): this {
    this.env.write("Sheet.showSheet");
    this.hidden = false;
    return this;
  }
  isSheetHidden(): boolean {
    this.env.hit("Sheet.isSheetHidden");
    return this.hidden;
  }
  activate(): this {
    this.env.hit("Sheet.activate");
    if (this.hidden) this.hidden = false; // Sheets shows a hidden sheet that is activated
    this.book.active = this;
    return this;
  }
  setColumnWidth(col: number, px: number): this {
    this.env.write("Sheet.setColumnWidth");
    if (col < 1 || col > this.maxCols) throw new Error("Exception: The column is outside the dimensions of the sheet.");
    this.widths.set(col, px);
    return this;
  }

  setColumnWidths(start: number, count: number, px: number): this {
    this.env.write("Sheet.setColumnWidths");
    if (!Number.isInteger(start) || !Number.isInteger(count) || !Number.isInteger(px)) throw new Error("Exception: The parameters don't match the method signature for SpreadsheetApp.Sheet.setColumnWidths.");
    if (count < 1) throw new Error("Exception: The number of columns must be at least 1.");
    if (start < 1 || start + count - 1 > this.maxCols) throw new Error("Exception: The column is outside the dimensions of the sheet.");
    for (let c = start; c < start + count; c++) this.widths.set(c, px);
    return this;
  }

  /** Everything a person could see or rely on, for before/after comparisons. */
  snapshot(): Record<string, unknown> {
    const cells: Record<string, unknown> = {};
    const mark = (k: number, field: string, v: unknown): void => {
      const a = `${colName(k % KEY)}${Math.floor(k / KEY) + 1}`;
      cells[a] = { ...((cells[a] as object) ?? {}), [field]: v };
    };
    this.values.forEach((row, r) => row.forEach((v, c) => v !== "" && mark(key(r, c), "v", v)));
    this.formats.forEach((f, k) => mark(k, "f", f));
    this.formulas.forEach((f, k) => mark(k, "fx", f));
    this.styles.forEach((s, k) => mark(k, "s", s));
    this.validations.forEach((dv, k) => mark(k, "dv", dv.describe()));
    return {
      name: this.name,
      hidden: this.hidden,
      maxRows: this.maxRows,
      maxCols: this.maxCols,
      cells,
      rules: this.rules.map((r) => r.describe()),
      charts: this.charts.map((c) => c.describe()),
      widths: [...this.widths],
    };
  }
}

export class FakeSpreadsheet {
  sheets: FakeSheet[] = [];
  active: FakeSheet | null = null;
  selection = "";
  toasts: { message: string; title: string }[] = [];
  private nextId = 0;

  constructor(
    readonly zone: string,
    private env: Env,
  ) {}

  /** Adds a sheet without counting: fixtures only. */
  addSheet(name: string, rows = 1000, cols = 26): FakeSheet {
    const s = new FakeSheet(this, name, this.nextId === 0 ? (this.nextId++, 0) : 1_000_000 + this.nextId++ * 7919, rows, cols, this.env);
    this.sheets.push(s);
    this.active ??= s;
    return s;
  }
  sheet(name: string): FakeSheet | undefined {
    return this.sheets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  getSheets(): FakeSheet[] {
    this.env.hit("Spreadsheet.getSheets");
    return [...this.sheets];
  }
  getNumSheets(): number {
    this.env.hit("Spreadsheet.getNumSheets");
    return this.sheets.length;
  }
  getSheetByName(name: string): FakeSheet | null {
    this.env.hit("Spreadsheet.getSheetByName");
    return this.sheet(name) ?? null;
  }
  getActiveSheet(): FakeSheet {
    this.env.hit("Spreadsheet.getActiveSheet");
    if (!this.active) throw new Error("fake: no sheets");
    return this.active;
  }
  /** The selected range, when it is on the sheet in front (as Sheets answers); null otherwise. */
  getActiveRange(): FakeRange | null {
    this.env.hit("Spreadsheet.getActiveRange");
    const [name, a1] = this.selection.split("!");
    const sheet = name ? this.sheet(name) : undefined;
    return sheet && sheet === this.active && a1 ? sheet.getRange(a1) : null;
  }
  getSpreadsheetTimeZone(): string {
    this.env.hit("Spreadsheet.getSpreadsheetTimeZone");
    return this.zone;
  }
  insertSheet(name: string, index?: number): FakeSheet {
    this.env.write("Spreadsheet.insertSheet");
    if (typeof name !== "string" || name.trim() === "") throw new Error("Exception: A sheet needs a name.");
    if (this.sheet(name)) throw new Error(`Exception: A sheet with the name "${name}" already exists. Please enter another name.`);
    if (index !== undefined && (index < 0 || index > this.sheets.length)) throw new Error("Exception: The sheet index is out of range.");
    const s = new FakeSheet(this, name, 1_000_000 + this.nextId++ * 7919, 1000, 26, this.env);
    this.sheets.splice(index ?? this.sheets.length, 0, s);
    this.active = s; // Sheets brings a new sheet to the front
    return s;
  }
  toast(message: string, title?: string, _seconds?: number): void {
    this.env.hit("Spreadsheet.toast");
    this.toasts.push({ message: String(message), title: title ?? "" });
  }
}
