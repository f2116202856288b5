// Builds the Apps Script bundle once per test process and loads it into a bare vm context backed by a fake Env.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import { buildSheetsScript } from "../../../sheets-script/build.js";
import { Env, type AuthMode, type EnvOptions, type ExecutionKind } from "./env.js";

export interface Built {
  dir: string;
  code: string;
  sidebar: string;
  manifest: string;
}

/** The bound script's bundle, or the private Editor add-on's (npm run build:sheets:team). */
export type Variant = "bound" | "addon";

const built = new Map<Variant, Promise<Built>>();

/** The real build (esbuild, no type-check: `npm run build:sheets` does that) into a temp folder. */
export function builtBundle(variant: Variant = "bound"): Promise<Built> {
  let b = built.get(variant);
  if (!b) {
    b = (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "pipesheet-gas-"));
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      await buildSheetsScript({ outDir: dir, typecheck: false, addon: variant === "addon" });
      const read = (f: string): string => readFileSync(path.join(dir, f), "utf8");
      return { dir, code: read("Code.js"), sidebar: read("Sidebar.html"), manifest: read("appsscript.json") };
    })();
    built.set(variant, b);
  }
  return b;
}

/** Replaces the context's Date so that `new Date()` and Date.now() read the fake's virtual clock. */
const CLOCK = `(() => {
  const Real = Date;
  const now = globalThis.__fakeNow;
  delete globalThis.__fakeNow;
  class D extends Real {
    constructor(...a) { if (a.length === 0) super(now()); else super(...a); }
    static now() { return now(); }
  }
  globalThis.Date = D;
})();`;

export interface Script {
  env: Env;
  context: vm.Context;
  /** Calls a global of the script as one execution of the given kind (menu commands and sidebar calls: 6 minutes). */
  call: (name: string, kind: ExecutionKind, ...args: unknown[]) => unknown;
  /** The same, in the given authorisation mode (an add-on's onOpen in a spreadsheet it was not used in: NONE). */
  callAs: (name: string, kind: ExecutionKind, auth: AuthMode, ...args: unknown[]) => unknown;
}

/** Loads a bundle into a fresh bare context. */
export async function loadScript(options: EnvOptions = {}, variant: Variant = "bound"): Promise<Script> {
  const b = await builtBundle(variant);
  const env = new Env({ files: { "Sidebar.html": b.sidebar }, ...options });
  const context = vm.createContext({ ...env.globals(), __fakeNow: () => env.clock });
  vm.runInContext(CLOCK, context);
  const ScriptDate = vm.runInContext("Date", context) as DateConstructor;
  env.makeDate = (ms) => new ScriptDate(ms);
  vm.runInContext(b.code, context, { filename: "Code.js" });
  const callAs = (name: string, kind: ExecutionKind, auth: AuthMode | undefined, ...args: unknown[]): unknown => {
    const fn = (context as Record<string, unknown>)[name];
    if (typeof fn !== "function") throw new Error(`The script has no global function ${name}`);
    return env.execute(kind, () => (fn as (...a: unknown[]) => unknown)(...args), auth);
  };
  const call = (name: string, kind: ExecutionKind, ...args: unknown[]): unknown => callAs(name, kind, undefined, ...args);
  return { env, context, call, callAs: (name, kind, auth, ...args) => callAs(name, kind, auth, ...args) };
}

/** Builds an edit event as Apps Script does: the range carries its bounds as plain fields too. */
export function editEvent(script: Script, sheetName: string, a1: string, value?: unknown, oldValue?: unknown): Record<string, unknown> {
  const sheet = script.env.book.sheet(sheetName);
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  const range = script.env.quietly(() => sheet.getRange(a1));
  Object.assign(range, { columnStart: range.c + 1, columnEnd: range.c + range.nc, rowStart: range.r + 1, rowEnd: range.r + range.nr });
  const e: Record<string, unknown> = { authMode: "LIMITED", range, source: script.env.book, triggerUid: "", user: { email: "", nickname: "" } };
  if (value !== undefined) e.value = value;
  if (oldValue !== undefined) e.oldValue = oldValue;
  return e;
}
