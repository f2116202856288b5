/// <reference types="office-js" />
// The two things the adapter needs from Office, behind one small seam so tests can hand in the strict model.

export interface Host {
  run<T>(batch: (ctx: Excel.RequestContext) => Promise<T>): Promise<T>;
  /** Excel.run(object, batch): reuses the request context an event handler was registered with. */
  runWith<T>(object: { context: OfficeExtension.ClientRequestContext }, batch: (ctx: Excel.RequestContext) => Promise<T>): Promise<T>;
  isSetSupported(name: string, version: string): boolean;
}

/** The real globals: office.js in Excel, or the in-memory model the playground installs under the same names. */
export function officeHost(): Host {
  return {
    run: (batch) => Excel.run(batch),
    runWith: (object, batch) => Excel.run(object.context as Excel.RequestContext, batch),
    isSetSupported: (name, version) => Office.context.requirements.isSetSupported(name, version),
  };
}

/** Today in the user's own time zone, as core wants it. */
export function localToday(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export function errorCode(e: unknown): string | null {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : null;
}
