// Draws the in-memory workbook: the active sheet as a grid (with its highlighting and pipesheet's chart),
// sheet tabs, the selection. Cell text goes in with textContent only.
import type { SheetModel, WorkbookModel } from "../../test/fakes/excel/model.js";
import { colName, EXCEL_EPOCH_OFFSET } from "../../core/index.js";
import { evaluateRules } from "./highlight.js";


const MAX_ROWS_SHOWN = 600;
const MAX_COLS_SHOWN = 60;
const DAY_MS = 86_400_000;

/** A value as Excel would display it with the cell's number format (the formats pipesheet and the sample use). */
export function display(v: string | number | boolean, format: string): string {
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "string") return v;
  if (/[yd]/i.test(format) && !format.includes('"')) return new Date(Math.round((v - EXCEL_EPOCH_OFFSET) * DAY_MS)).toISOString().slice(0, 10);
  if (format.endsWith("%")) return `${(v * 100).toFixed((format.split(".")[1] ?? "").replace("%", "").length)}%`;
  if (format === "#,##0") return Math.round(v).toLocaleString("en-US");
  // A fixed number of decimals, with an optional quoted unit: 0.00"x", 0.0 "days".
  const fixed = /^0(?:\.(0+))?( ?)(?:"([^"]*)")?$/.exec(format);
  if (fixed) return `${v.toFixed(fixed[1]?.length ?? 0)}${fixed[3] === undefined ? "" : `${fixed[2] ?? ""}${fixed[3]}`}`;
  return String(Math.round(v * 1e6) / 1e6);
}

export class GridView {
  private shown: string | null = null;
  private editing = false;

  constructor(
    private readonly model: WorkbookModel,
    private readonly grid: HTMLElement,
    private readonly tabs: HTMLElement,
    private readonly todaySerial: number,
  ) {}

  render(): void {
    if (this.editing) return;
    const m = this.model;
    const active = m.active();
    this.shown = active.id;
    this.renderTabs(active);
    this.renderSheet(active);
  }

  private renderTabs(active: SheetModel): void {
    this.tabs.replaceChildren();
    for (const s of this.model.sheets) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = s.visibility === "Visible" ? s.name : `${s.name} (hidden)`;
      if (s.visibility !== "Visible") b.className = "hidden-sheet";
      b.setAttribute("aria-current", String(s.id === active.id));
      b.dataset.sheet = s.name;
      b.addEventListener("click", () => {
        this.model.activeSheetId = s.id;
        this.render();
      });
      this.tabs.append(b);
    }
  }

  private renderSheet(sheet: SheetModel): void {
    const used = sheet.usedRect(false);
    const rows = Math.min((used?.r1 ?? 0) + 1, MAX_ROWS_SHOWN);
    const cols = Math.min((used?.c1 ?? 0) + 1, MAX_COLS_SHOWN);
    const { marks, shown } = evaluateRules(sheet, rows, cols, this.todaySerial, this.model.sheets);
    const sel = this.model.selection?.sheetId === sheet.id ? this.model.selection.rect : null;
    const table = document.createElement("table");
    table.dataset.sheet = sheet.name;
    const head = document.createElement("thead");
    const hr = document.createElement("tr");
    hr.append(document.createElement("th"));
    for (let c = 0; c < cols; c++) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = colName(c);
      hr.append(th);
    }
    head.append(hr);
    const body = document.createElement("tbody");
    let selected: HTMLElement | null = null;
    for (let r = 0; r < rows; r++) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = String(r + 1);
      tr.append(th);
      const mark = marks.get(r);
      for (let c = 0; c < cols; c++) {
        const td = document.createElement("td");
        const v = sheet.formula(r, c) === undefined ? sheet.value(r, c) : (shown(r, c) ?? "");
        td.textContent = v === "" ? "" : display(v, sheet.numberFormat(r, c));
        td.dataset.cell = `${colName(c)}${r + 1}`;
        if (typeof v === "number") td.className = "num";
        const style = sheet.styles.get(r * 16_384 + c);
        if (style?.bold) td.style.fontWeight = "600";
        if (style?.italic) td.style.fontStyle = "italic";
        if (style?.fill) td.style.background = style.fill;
        if (mark && c >= mark.c0 && c <= mark.c1) {
          td.dataset.highlight = "true";
          if (mark.fill) td.style.background = mark.fill;
          if (mark.font) td.style.color = mark.font;
        }
        if (sel && r >= sel.r0 && r <= sel.r1 && c >= sel.c0 && c <= sel.c1) {
          td.classList.add("selected");
          selected ??= td;
        }
        td.addEventListener("dblclick", () => this.edit(sheet, r, c, td));
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(head, body);
    this.grid.replaceChildren(table);
    if ((used?.r1 ?? 0) + 1 > MAX_ROWS_SHOWN) {
      const more = document.createElement("p");
      more.className = "more";
      more.textContent = `Showing the first ${MAX_ROWS_SHOWN} rows of ${(used?.r1 ?? 0) + 1}.`;
      this.grid.append(more);
    }
    for (const ch of sheet.charts) this.grid.append(this.chart(sheet, ch));
    selected?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  private chart(sheet: SheetModel, ch: SheetModel["charts"][number]): HTMLElement {
    const fig = document.createElement("figure");
    fig.className = `chart ${ch.type === "Funnel" ? "funnel" : "bar"}`;
    fig.dataset.chartType = ch.type;
    fig.setAttribute("role", "img");
    fig.setAttribute("aria-label", `${ch.type} chart: ${ch.title}`);
    const title = document.createElement("h3");
    title.textContent = ch.title || ch.name;
    fig.append(title);
    const values: number[] = [];
    const labels: string[] = [];
    for (let r = ch.source.r0; r <= ch.source.r1; r++) {
      const v = sheet.value(r, ch.source.c0);
      values.push(typeof v === "number" ? v : 0);
      labels.push(ch.xValues ? String(sheet.value(ch.xValues.r0 + (r - ch.source.r0), ch.xValues.c0)) : String(r - ch.source.r0 + 1));
    }
    const max = Math.max(1, ...values);
    values.forEach((v, i) => {
      const row = document.createElement("div");
      row.className = "row";
      const label = document.createElement("span");
      label.textContent = labels[i] ?? "";
      const track = document.createElement("div");
      track.className = "bar-track";
      const fill = document.createElement("div");
      fill.className = "bar-fill";
      fill.style.width = `${Math.max(1, (v / max) * 100)}%`;
      fill.textContent = Math.round(v).toLocaleString("en-US");
      track.append(fill);
      row.append(label, track);
      fig.append(row);
    });
    return fig;
  }

  /** Double-click a cell to type into it, as in Excel: Enter keeps, Esc cancels. */
  private edit(sheet: SheetModel, r: number, c: number, td: HTMLElement): void {
    this.editing = true;
    const input = document.createElement("input");
    const v = sheet.value(r, c);
    input.value = String(v);
    input.setAttribute("aria-label", `Edit ${colName(c)}${r + 1}`);
    td.replaceChildren(input);
    input.focus();
    const done = (keep: boolean): void => {
      if (!this.editing) return;
      this.editing = false;
      if (keep && input.value !== input.defaultValue) this.model.userEdit(sheet.name, r, c, input.value);
      this.render();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") done(true);
      if (e.key === "Escape") done(false);
    });
    input.addEventListener("blur", () => done(true));
  }
}
