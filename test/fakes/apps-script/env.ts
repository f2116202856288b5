// The Apps Script services around the spreadsheet model: a virtual clock with the execution time limits,
// call counting, the document lock, document properties, the UI, HtmlService, Utilities and Session.
import { FakeConditionalFormatRuleBuilder, FakeDataValidationBuilder, FakeRichTextBuilder, FakeSpreadsheet } from "./spreadsheet.js";
import { formatDate } from "./time.js";

import type { Cost, Host } from "./host.js";

export type { Cost } from "./host.js";
export const DEFAULT_COST: Cost = { call: 5, readCell: 0.002, writeCell: 0.02, formatCell: 0.001 };

export type ExecutionKind = "menu" | "sidebar" | "simple-trigger";
/** ScriptApp.AuthMode of an execution: an add-on's onOpen runs in NONE where it has not been used yet. */
export type AuthMode = "NONE" | "LIMITED" | "FULL";

export interface EnvOptions {
  /** The spreadsheet's time zone. */
  zone?: string;
  /** The wall clock at the start, ISO. */
  now?: string;
  cost?: Partial<Cost>;
  /** Writes throw unless the running execution holds the document lock (the adapter promises to hold it). */
  requireLock?: boolean;
  /** Files of the script project (Sidebar.html), for HtmlService. */
  files?: Record<string, string>;
}

interface Execution {
  id: number;
  kind: ExecutionKind;
  auth: AuthMode;
  start: number;
  limit: number;
}

export class Env implements Host {
  readonly zone: string;
  /** The zone the script's own Date getters use: the process's, since the bundle runs in it. */
  readonly scriptZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  clock: number;
  cost: Cost;
  requireLock: boolean;
  calls = 0;
  byName = new Map<string, number>();
  trace: string[] = [];
  tracing = false;
  private quiet = 0;
  readonly book: FakeSpreadsheet;
  readonly properties = new Map<string, string>();
  lockHolder: number | null = null;
  readonly stack: Execution[] = [];
  private nextExec = 1;
  menus: FakeMenu[] = [];
  alerts: string[] = [];
  sidebars: { title: string; content: string }[] = [];
  logs: string[] = [];
  files: Record<string, string>;
  /** Builds a Date of the script's realm (set by the bundle loader). */
  makeDate: (ms: number) => Date = (ms) => new Date(ms);
  /** Called before each counted write; tests use it to run a second execution in the middle of a first. */
  onWrite: ((name: string) => void) | null = null;

  constructor(options: EnvOptions = {}) {
    this.zone = options.zone ?? "Etc/UTC";
    this.clock = Date.parse(options.now ?? "2026-11-26T15:00:00Z");
    this.cost = { ...DEFAULT_COST, ...(options.cost ?? {}) };
    this.requireLock = options.requireLock ?? true;
    this.files = options.files ?? {};
    this.book = new FakeSpreadsheet(this.zone, this);
  }

  get current(): Execution | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Runs `fn` as one Apps Script execution: its own time limit; its lock is released when it ends. */
  execute<T>(kind: ExecutionKind, fn: () => T, auth: AuthMode = kind === "simple-trigger" ? "LIMITED" : "FULL"): T {
    const exec: Execution = { id: this.nextExec++, kind, auth, start: this.clock, limit: kind === "simple-trigger" ? 30_000 : 360_000 };
    this.stack.push(exec);
    try {
      return fn();
    } finally {
      this.stack.pop();
      if (this.lockHolder === exec.id) this.lockHolder = null;
    }
  }

  /** In AuthMode.NONE a script may build menus, but not read the document or its properties. */
  authorised(name: string): void {
    if (this.current?.auth === "NONE") throw new Error(`Exception: You do not have permission to call ${name} in AuthMode.NONE.`);
  }

  hit(name: string): void {
    if (this.quiet > 0) return;
    this.calls++;
    this.byName.set(name, (this.byName.get(name) ?? 0) + 1);
    if (this.tracing) this.trace.push(name);
    this.spend(this.cost.call);
  }

  /** A call that changes the document. */
  write(name: string): void {
    if (this.quiet > 0) return;
    if (this.requireLock && (!this.current || this.lockHolder !== this.current.id))
      throw new Error(`fake: ${name} without holding the document lock (the adapter promises to write only under it)`);
    this.onWrite?.(name);
    this.hit(name);
  }

  quietly<T>(fn: () => T): T {
    this.quiet++;
    try {
      return fn();
    } finally {
      this.quiet--;
    }
  }

  spend(ms: number): void {
    this.clock += ms;
    const exec = this.current;
    if (exec && this.clock - exec.start > exec.limit) {
      throw new Error(exec.kind === "simple-trigger" ? "Exceeded maximum execution time (simple trigger, 30 s)" : "Exceeded maximum execution time");
    }
  }

  resetCounts(): void {
    this.calls = 0;
    this.byName.clear();
    this.trace = [];
  }

  /** The global objects of an Apps Script project, and nothing else. */
  globals(): Record<string, unknown> {
    return appsScriptGlobals(this);
  }
}

// ---------------------------------------------------------------- services
function makeLock(env: Env): object {
  const acquire = (ms: number): boolean => {
    env.hit("Lock.tryLock");
    const me = env.current?.id ?? 0;
    if (env.lockHolder === null || env.lockHolder === me) {
      env.lockHolder = me;
      return true;
    }
    env.spend(ms); // waited for it in vain: the holder runs on in another execution
    return false;
  };
  return {
    tryLock: (ms: number) => acquire(ms),
    waitLock: (ms: number) => {
      if (!acquire(ms)) throw new Error("Lock timeout: another process was holding the lock for too long.");
    },
    releaseLock: () => {
      env.hit("Lock.releaseLock");
      if (env.lockHolder === (env.current?.id ?? 0)) env.lockHolder = null;
    },
    hasLock: () => {
      env.hit("Lock.hasLock");
      return env.lockHolder === (env.current?.id ?? 0);
    },
  };
}

/** The name the fake gives an add-on menu (Apps Script uses the add-on's name). */
export const ADDON_MENU = "pipesheet (add-on)";

export interface FakeMenu {
  name: string;
  /** Built with createAddonMenu (under Extensions), not createMenu. */
  addon: boolean;
  items: [string, string][];
}

function menuApi(env: Env, menu: FakeMenu): object {
  const api = {
    addItem(caption: string, fn: string) {
      env.hit("Menu.addItem");
      if (typeof fn !== "string" || fn === "") throw new Error("Exception: A menu item needs a function name.");
      menu.items.push([caption, fn]);
      return api;
    },
    addSeparator() {
      env.hit("Menu.addSeparator");
      menu.items.push(["---", ""]);
      return api;
    },
    addToUi() {
      env.hit("Menu.addToUi");
      env.menus.push(menu);
    },
  };
  return api;
}

function makeUi(env: Env): object {
  const ensureUi = (what: string): void => {
    if (env.current?.kind === "simple-trigger") throw new Error(`Exception: Cannot call ${what} from this context (simple triggers cannot open dialogs).`);
  };
  const ButtonSet = { OK: "OK", OK_CANCEL: "OK_CANCEL", YES_NO: "YES_NO", YES_NO_CANCEL: "YES_NO_CANCEL" };
  const Button = { OK: "OK", CANCEL: "CANCEL", YES: "YES", NO: "NO", CLOSE: "CLOSE" };
  return {
    ButtonSet,
    Button,
    createMenu(name: string) {
      env.hit("Ui.createMenu");
      return menuApi(env, { name, addon: false, items: [] });
    },
    /** The add-on menu under Extensions, named by Apps Script after the add-on (or the script), not by the caller. */
    createAddonMenu(...args: unknown[]) {
      env.hit("Ui.createAddonMenu");
      if (args.length > 0) throw new Error("Exception: The parameters don't match the method signature for Ui.createAddonMenu.");
      return menuApi(env, { name: ADDON_MENU, addon: true, items: [] });
    },
    alert(a: string, b?: string, c?: string) {
      env.hit("Ui.alert");
      ensureUi("Ui.alert");
      env.alerts.push(b === undefined ? a : `${a}: ${b}`);
      void c;
      return Button.OK;
    },
    showSidebar(html: { getTitle(): string; getContent(): string }) {
      env.hit("Ui.showSidebar");
      ensureUi("Ui.showSidebar");
      env.sidebars.push({ title: html.getTitle(), content: html.getContent() });
    },
  };
}

function appsScriptGlobals(env: Env): Record<string, unknown> {
  const SpreadsheetApp = {
    BooleanCriteria: { CUSTOM_FORMULA: "CUSTOM_FORMULA", TEXT_CONTAINS: "TEXT_CONTAINS" },
    DataValidationCriteria: { VALUE_IN_LIST: "VALUE_IN_LIST" },
    getActiveSpreadsheet: () => (env.authorised("SpreadsheetApp.getActiveSpreadsheet"), env.hit("SpreadsheetApp.getActiveSpreadsheet"), env.book),
    getActive: () => (env.authorised("SpreadsheetApp.getActive"), env.hit("SpreadsheetApp.getActive"), env.book),
    getUi: () => (env.hit("SpreadsheetApp.getUi"), makeUi(env)),
    flush: () => env.hit("SpreadsheetApp.flush"),
    newConditionalFormatRule: () => (env.hit("SpreadsheetApp.newConditionalFormatRule"), new FakeConditionalFormatRuleBuilder(env)),
    newDataValidation: () => (env.hit("SpreadsheetApp.newDataValidation"), new FakeDataValidationBuilder(env)),
    newRichTextValue: () => (env.hit("SpreadsheetApp.newRichTextValue"), new FakeRichTextBuilder(env)),
    BandingTheme: { LIGHT_GREY: "LIGHT_GREY", BLUE: "BLUE" },
  };
  const props = {
    getProperty: (k: string) => (env.hit("Properties.getProperty"), env.properties.get(k) ?? null),
    getProperties: () => (env.hit("Properties.getProperties"), Object.fromEntries(env.properties)),
    setProperty: (k: string, v: string) => {
      env.hit("Properties.setProperty");
      if (typeof v !== "string") throw new Error("Exception: Property values must be strings.");
      if (k.length + v.length > 9 * 1024) throw new Error("Exception: Argument too large: value");
      env.properties.set(k, v);
      return props;
    },
    setProperties: (o: Record<string, string>, deleteAllOthers?: boolean) => {
      env.hit("Properties.setProperties");
      if (deleteAllOthers) env.properties.clear();
      for (const [k, v] of Object.entries(o)) {
        if (typeof v !== "string") throw new Error("Exception: Property values must be strings.");
        if (k.length + v.length > 9 * 1024) throw new Error("Exception: Argument too large: value");
        env.properties.set(k, v);
      }
      return props;
    },
    deleteProperty: (k: string) => {
      env.hit("Properties.deleteProperty");
      env.properties.delete(k);
      return props;
    },
  };
  const output = (name: string, content: string) => {
    let title = "";
    const o = {
      setTitle: (t: string) => {
        env.hit("HtmlOutput.setTitle");
        title = t;
        return o;
      },
      getTitle: () => title,
      getContent: () => content,
    };
    void name;
    return o;
  };
  return {
    SpreadsheetApp,
    PropertiesService: { getDocumentProperties: () => (env.authorised("PropertiesService.getDocumentProperties"), env.hit("PropertiesService.getDocumentProperties"), props) },
    LockService: { getDocumentLock: () => (env.authorised("LockService.getDocumentLock"), env.hit("LockService.getDocumentLock"), makeLock(env)) },
    HtmlService: {
      createHtmlOutputFromFile: (name: string) => {
        env.hit("HtmlService.createHtmlOutputFromFile");
        const content = env.files[`${name}.html`];
        if (content === undefined) throw new Error(`Exception: No HTML file named ${name} was found.`);
        return output(name, content);
      },
    },
    Utilities: {
      formatDate: (d: Date, zone: string, pattern: string) => {
        env.hit("Utilities.formatDate");
        return formatDate(d.getTime(), zone, pattern);
      },
    },
    Session: { getScriptTimeZone: () => (env.hit("Session.getScriptTimeZone"), env.scriptZone) },
    console: {
      log: (...a: unknown[]) => env.logs.push(`log: ${a.map(String).join(" ")}`),
      info: (...a: unknown[]) => env.logs.push(`info: ${a.map(String).join(" ")}`),
      warn: (...a: unknown[]) => env.logs.push(`warn: ${a.map(String).join(" ")}`),
      error: (...a: unknown[]) => env.logs.push(`error: ${a.map(String).join(" ")}`),
    },
  };
}
