// The task pane: pick the deals sheet, run a command, show the summary, the problems and the column mapping.
// Every value that came from the workbook is put on the page with textContent, never as HTML.
import { FIELDS, settingsFromGrid, TAB_REVIEW, TAB_SETTINGS, type Command, type Field, type Problem, type WorkbookPlan } from "../../core/index.js";
import { fieldLabel } from "../../core/index.js";
import { chooseDealsSheet, discover, isOwnTab, preview, runCommand, selectCell, stamperState, type CommandResult, type Discovery, type Progress } from "../adapter/command.js";
import type { Host } from "../adapter/host.js";
import { logActivity } from "../adapter/log.js";
import { StageStamper } from "../adapter/stamper.js";
import { subscribe } from "../commands/outcome.js";
import { describeError } from "./messages.js";

/** Problems listed in the pane; the rest are counted. */
export const MAX_PROBLEMS = 200;
const REMEMBER_SHEET = "pipesheet.dealsSheet";

export interface DocumentSettings {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  saveAsync(callback?: (result: unknown) => void): void;
}

export interface PaneOptions {
  today: () => string;
  /** Office.context.document.settings, where the chosen deals sheet is remembered; null where there is none. */
  settings: DocumentSettings | null;
  /** Office.addin.setStartupBehavior(load) where the shared runtime has it: the runtime then starts with the workbook. */
  loadWithDocument?: (() => Promise<void>) | null;
  /** True when the pane shares its runtime with the ribbon commands, so it lives on when closed. */
  sharedRuntime?: boolean;
  /** Show round trips (the playground, where they are the point). */
  showRoundTrips?: boolean;
}

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`The pane markup has no #${id}`);
  return e as T;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className !== undefined) e.className = className;
  return e;
}

export class Pane {
  private discovery: Discovery | null = null;
  private sheet: string | null = null;
  private tabs: string[] = [];
  private overrides: Partial<Record<Field, string>> = {};
  private busy = false;
  private stamper: StageStamper | null = null;
  private showAllFields = false;
  private last: CommandResult | null = null;

  constructor(
    private readonly host: Host,
    private readonly options: PaneOptions,
  ) {}

  async start(): Promise<void> {
    for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-command]"))
      b.addEventListener("click", () => void this.command(b.dataset.command as Command));
    el("go-review").addEventListener("click", () => void this.guard(() => selectCell(this.host, TAB_REVIEW, "A1")));
    el<HTMLSelectElement>("deals-sheet").addEventListener("change", (e) => void this.pickSheet((e.target as HTMLSelectElement).value));
    el<HTMLFormElement>("log-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.logActivity();
    });
    await this.refresh();
    // What the ribbon's Score leads did, in the runtime this pane shares with it.
    subscribe((o) => {
      if (o.ok) {
        this.last = o.result;
        this.renderResult(o.result);
        void this.listen(o.result);
      } else {
        const box = el("error");
        box.textContent = o.message;
        box.hidden = false;
      }
    });
  }

  private remembered(): string | null {
    const v = this.options.settings?.get(REMEMBER_SHEET);
    return typeof v === "string" ? v : null;
  }

  /** Finds the sheets, picks the deals sheet, previews the mapping and listens for stage edits. */
  async refresh(): Promise<void> {
    await this.guard(async () => {
      this.discovery = await discover(this.host);
      this.tabs = this.discovery.sheets.map((s) => s.name);
      this.sheet = chooseDealsSheet(this.discovery, this.sheet ?? this.remembered());
      this.renderSheets();
      this.markPrimary(null);
      if (this.sheet === null) throw new Error("This workbook has no sheet of deals yet: add a sheet with a header row (Deal name, Stage, …) and one row per deal.");
      await this.preview();
    });
  }

  private async pickSheet(name: string): Promise<void> {
    this.sheet = name;
    this.overrides = {};
    this.options.settings?.set(REMEMBER_SHEET, name);
    this.options.settings?.saveAsync();
    await this.stopStamping();
    await this.guard(() => this.preview());
  }

  private async preview(): Promise<void> {
    if (this.sheet === null) return;
    const r = await preview(this.host, { sheet: this.sheet, tabs: this.tabs, today: this.options.today(), columnOverrides: this.overrides });
    this.tabs = r.read.input.sheetNames;
    this.last = r;
    this.renderMapping(r);
    await this.listen(r);
  }

  async command(command: Command): Promise<void> {
    if (this.busy || this.sheet === null) return;
    const sheet = this.sheet;
    await this.guard(async () => {
      const r = await runCommand(this.host, { command, sheet, tabs: this.tabs, today: this.options.today(), columnOverrides: this.overrides }, (p) => this.progress(p));
      this.last = r;
      this.tabs = stamperState(r).tabs;
      // Corrections that setup wrote into Pipeline Settings › Columns come from there from now on.
      if (command === "setup") this.overrides = unsavedOverrides(this.overrides, r.plan);
      this.renderResult(r);
      this.renderMapping(r);
      this.markPrimary(command);
      this.progressDone(this.options.showRoundTrips ? `Done in ${r.syncs} round trips.` : "Done.");
      if (command === "setup") await this.options.loadWithDocument?.().catch(() => undefined);
      await this.listen(r);
    });
  }

  /** Log activity: the deal is the selected row; what the user typed goes to the workbook as text and back here with textContent. */
  async logActivity(): Promise<void> {
    if (this.busy || this.sheet === null) return;
    const sheet = this.sheet;
    const value = (id: string): string => el<HTMLInputElement>(id).value;
    const out = el("log-result");
    await this.guard(async () => {
      const r = await logActivity(this.host, {
        sheet,
        tabs: this.tabs,
        today: this.options.today(),
        form: { type: el<HTMLSelectElement>("log-type").value, note: value("log-note"), nextStep: value("log-next"), nextStepDate: value("log-next-date"), by: value("log-by"), updateTeamColumns: el<HTMLInputElement>("log-update").checked },
      });
      const p = r.plan;
      if (!p.ok) {
        out.textContent = p.problems.map((x) => x.message).join(" ");
        return;
      }
      if (p.createTab && !this.tabs.includes(p.createTab.name)) this.tabs = [...this.tabs, p.createTab.name];
      const left = p.teamColumns.map((t) => `"${t.header}"`).join(", ");
      out.textContent = `Logged a ${p.type ?? ""} on ${p.dealId || p.dealName} in ${p.activitySheet}.${left === "" ? "" : ` Your own ${left} left as they are; tick the box to update them too.`}`;
      for (const id of ["log-note", "log-next", "log-next-date"]) el<HTMLInputElement>(id).value = "";
    });
  }

  /** Runs one step with the buttons disabled, the progress shown and any error said in plain words. */
  private async guard(step: () => Promise<void>): Promise<void> {
    this.setBusy(true);
    el("error").hidden = true;
    try {
      await step();
    } catch (e) {
      const box = el("error");
      box.textContent = describeError(e);
      box.hidden = false;
      this.progressDone("");
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    el("pane").setAttribute("aria-busy", String(busy));
    for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-command]")) b.disabled = busy;
    el<HTMLSelectElement>("deals-sheet").disabled = busy;
  }

  private progress(p: Progress): void {
    const bar = el<HTMLProgressElement>("progress-bar");
    const text = el("progress-text");
    bar.hidden = false;
    if (p.step === "reading") {
      bar.removeAttribute("value");
      text.textContent = "Reading the sheet…";
    } else if (p.step === "deciding") text.textContent = "Working out the pipeline…";
    else if (p.step === "writing") {
      bar.value = Math.round((p.done / Math.max(1, p.total)) * 100);
      text.textContent = p.total > 1 ? `Writing part ${Math.min(p.done + 1, p.total)} of ${p.total}…` : "Writing…";
    }
  }

  private progressDone(message: string): void {
    el<HTMLProgressElement>("progress-bar").hidden = true;
    el("progress-text").textContent = message;
  }

  private renderSheets(): void {
    const select = el<HTMLSelectElement>("deals-sheet");
    select.replaceChildren();
    for (const s of this.discovery?.sheets ?? []) {
      if (isOwnTab(s.name)) continue;
      const o = make("option", s.visible ? s.name : `${s.name} (hidden)`);
      o.value = s.name;
      o.selected = s.name === this.sheet;
      select.append(o);
    }
  }

  /** The next logical step is the primary button: set up first, then score, then the review, then score again. */
  private markPrimary(done: Command | null): void {
    const setUp = this.tabs.some((t) => t.toLowerCase() === TAB_SETTINGS.toLowerCase());
    const next: Command = !setUp ? "setup" : done === "score" ? "review" : "score";
    for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-command]")) b.classList.toggle("primary", b.dataset.command === next);
  }

  private renderResult(r: CommandResult): void {
    el("result").hidden = false;
    const s = r.plan.summary;
    const problems = r.plan.problems.length;
    const tiles = el("tiles");
    tiles.replaceChildren();
    const tile = (label: string, value: number, name: string): void => {
      const t = make("div", undefined, `tile${name === "problems" && value > 0 ? " warn" : ""}`);
      t.setAttribute("role", "listitem");
      t.dataset.tile = name;
      t.append(make("span", String(value), "value"), make("span", label, "label"));
      tiles.append(t);
    };
    tile("open deals", s.open, "open");
    tile("stuck", s.stuck, "stuck");
    tile("A leads", s.grades.A, "a");
    tile(problems === 1 ? "problem" : "problems", problems, "problems");
    el("go-review").hidden = !this.tabs.some((t) => t.toLowerCase() === TAB_REVIEW.toLowerCase());
    // The problem count is the tiles' and the list's: core's own count of cells to fix would be a second number.
    el("headline").textContent = s.headline.replace(/; [\d,]+ cells? needs? fixing$/, "");
    // What changed since the last review (from the Pipeline Log), when there was one.
    const changes = el("changes");
    changes.textContent = s.changes?.line ?? "";
    changes.hidden = changes.textContent === "";
    const notes = el("notes");
    notes.replaceChildren();
    for (const n of r.apply?.notes ?? []) notes.append(make("li", n));
    if (r.plan.summary.customStages.length > 0) notes.append(make("li", `Adopted your stages: ${r.plan.summary.customStages.join(", ")}.`));
    if (r.apply?.chart === "bar") notes.append(make("li", "This Excel cannot draw funnel charts, so the review uses a bar chart."));
    this.renderProblems(r.plan.problems);
  }

  private renderProblems(problems: Problem[]): void {
    const section = el("problems");
    const list = el("problem-list");
    list.replaceChildren();
    section.hidden = problems.length === 0;
    el("problem-count").textContent = `(${problems.length})`;
    for (const p of problems.slice(0, MAX_PROBLEMS)) {
      const li = make("li", undefined, p.severity);
      const where = p.sheet === this.sheet ? p.cell : `${p.sheet}!${p.cell}`;
      const go = make("button", where, "cell");
      go.type = "button";
      go.setAttribute("aria-label", `Go to cell ${p.cell} on ${p.sheet}`);
      go.addEventListener("click", () => void this.guard(() => selectCell(this.host, p.sheet, p.cell)));
      li.append(go, make("span", p.message, "message"));
      list.append(li);
    }
    if (problems.length > MAX_PROBLEMS) list.append(make("li", `…and ${problems.length - MAX_PROBLEMS} more of the same kinds.`, "more"));
  }

  private renderMapping(r: CommandResult): void {
    const { plan, read } = r;
    const section = el("mapping");
    const body = el("mapping-table").querySelector("tbody");
    if (!body) return;
    body.replaceChildren();
    section.hidden = plan.columns.length === 0 && Object.keys(plan.summary.columns).length === 0;
    // Folded when nothing was guessed or is missing: then there is nothing to check.
    const toCheck = plan.summary.guessed.length + plan.summary.missing.length;
    const details = el<HTMLDetailsElement>("mapping-details");
    if (toCheck > 0 || Object.keys(this.overrides).length > 0) details.open = true;
    el("mapping-state").textContent = toCheck === 0 ? "all found" : `${plan.summary.guessed.length} guessed, ${plan.summary.missing.length} missing`;
    const header = (read.input.deals[plan.headerRow] ?? []).map((c) => (c === null || c === undefined ? "" : String(c).trim())).filter((h, i, all) => h !== "" && all.indexOf(h) === i);
    const mapped = plan.summary.columns;
    const shown = (f: Field): boolean => this.showAllFields || mapped[f] !== undefined || plan.summary.missing.includes(f) || this.overrides[f] !== undefined;
    for (const f of FIELDS) {
      if (!shown(f)) continue;
      const label = fieldLabel(f);
      const tr = make("tr");
      const th = make("th", label);
      th.scope = "row";
      const td = make("td");
      const select = make("select");
      select.setAttribute("aria-label", `Column for ${label}`);
      const current = this.overrides[f] ?? mapped[f];
      const none = make("option", "— not on the sheet —");
      none.value = "";
      none.selected = current === undefined;
      none.disabled = current !== undefined;
      select.append(none);
      for (const h of header) {
        const o = make("option", h);
        o.value = h;
        o.selected = h === current;
        select.append(o);
      }
      select.addEventListener("change", () => void this.correct(f, select.value));
      td.append(select);
      if (plan.summary.guessed.includes(f) && this.overrides[f] === undefined) td.append(make("span", "guessed — please check", "guessed"));
      tr.append(th, td);
      body.append(tr);
    }
    const toggleRow = make("tr");
    const cell = make("td");
    cell.colSpan = 2;
    const toggle = make("button", this.showAllFields ? "Show fewer fields" : "Show all fields");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", String(this.showAllFields));
    toggle.addEventListener("click", () => {
      this.showAllFields = !this.showAllFields;
      if (this.last) this.renderMapping(this.last);
    });
    cell.append(toggle);
    toggleRow.append(cell);
    body.append(toggleRow);
    const pending = el("mapping-pending");
    const n = Object.keys(this.overrides).length;
    pending.hidden = n === 0;
    pending.textContent = n === 0 ? "" : `${n} correction${n === 1 ? "" : "s"} in use; Set up pipeline saves ${n === 1 ? "it" : "them"} to Pipeline Settings.`;
  }

  private async correct(field: Field, header: string): Promise<void> {
    if (header === "") delete this.overrides[field];
    else this.overrides[field] = header;
    await this.guard(() => this.preview());
  }

  /** Stage edits are stamped while the pane is open; the stamper follows the deals sheet. */
  private async listen(r: CommandResult): Promise<void> {
    const state = stamperState(r);
    if (this.stamper && this.stamper.sheet === state.sheet) {
      this.stamper.update(state);
      return;
    }
    await this.stopStamping();
    const stamper = new StageStamper(this.host, state, {
      today: this.options.today,
      isBusy: () => this.busy,
      onStamp: (s) => {
        el("stamping").textContent = s.stamped > 0 ? `Stamped Stage entered on ${s.stamped} deal${s.stamped === 1 ? "" : "s"} and logged the change.` : "Logged the stage change.";
      },
      onError: (e) => {
        el("stamping").textContent = `Could not stamp a stage change: ${describeError(e)}`;
      },
    });
    await stamper.start();
    this.stamper = stamper;
    el("stamping").textContent =
      state.stageColumn === null
        ? ""
        : this.options.sharedRuntime
          ? "Changing a deal's stage stamps its Stage entered date, also with this pane closed."
          : "While this pane is open, changing a deal's stage stamps its Stage entered date.";
  }

  private async stopStamping(): Promise<void> {
    const s = this.stamper;
    this.stamper = null;
    if (s) await s.stop().catch(() => undefined);
  }
}

/** The corrections a plan's settings tab does not hold yet (all of them when the plan writes no settings tab). */
export function unsavedOverrides(overrides: Partial<Record<Field, string>>, plan: WorkbookPlan): Partial<Record<Field, string>> {
  const tab = plan.tabs.find((t) => t.name === TAB_SETTINGS);
  const saved = tab ? settingsFromGrid(tab.values).settings.columns : {};
  const out: Partial<Record<Field, string>> = {};
  for (const f of FIELDS) {
    const header = overrides[f];
    if (header !== undefined && saved[f]?.toLowerCase() !== header.toLowerCase()) out[f] = header;
  }
  return out;
}

export async function startPane(host: Host, options: PaneOptions): Promise<Pane> {
  const pane = new Pane(host, options);
  await pane.start();
  return pane;
}
