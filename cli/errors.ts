// Errors the CLI reports: each carries a machine-readable code in `cause`, and one table maps codes to exit codes.

export const EXIT_CODES = {
  BAD_ARGUMENTS: 2,
  UNREADABLE_FILE: 3,
  BAD_CSV: 3,
  NO_DEALS_SHEET: 4,
  UNWRITABLE_FILE: 5,
  INTERNAL: 1,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export interface ErrorCause {
  code: ErrorCode | (string & {});
  exitCode: number;
}

const EXIT_BY_CODE: ReadonlyMap<string, number> = new Map(Object.entries(EXIT_CODES));

/** A property of a value of unknown shape (an error, a JSON body) along `path`; undefined where the shape differs. */
export function prop(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const k of path) {
    if (typeof v !== "object" || v === null) return undefined;
    const next: unknown = Reflect.get(v, k);
    v = next;
  }
  return v;
}

/** The code of a Node system error (ENOENT, EACCES …), or undefined. */
export const errnoCode = (e: unknown): string | undefined => {
  const c = prop(e, "code");
  return typeof c === "string" ? c : undefined;
};

export class CliError extends Error {
  declare readonly cause: ErrorCause;
  constructor(code: ErrorCode, message: string);
  /** Other commands (e.g. the Google Sheets ones) may bring their own codes with an explicit exit code. */
  constructor(code: string, message: string, exitCode: number);
  constructor(code: string, message: string, exitCode?: number) {
    const exit = exitCode ?? EXIT_BY_CODE.get(code) ?? 1;
    super(message, { cause: { code, exitCode: exit } });
    this.name = "CliError";
  }
}

export const fail = (code: ErrorCode, message: string): never => {
  throw new CliError(code, message);
};

const isCliError = (e: unknown): e is CliError =>
  e instanceof Error && typeof e.cause === "object" && e.cause !== null && typeof prop(e.cause, "exitCode") === "number";

/** Node's fs errors to the codes users understand. */
export function fromFsError(e: unknown, path: string, writing: boolean): CliError {
  const code = e instanceof Error && "code" in e ? String(e.code) : "";
  const why =
    code === "ENOENT"
      ? writing
        ? "its folder does not exist"
        : "no such file"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "it is a folder, not a file"
          : code === "ENOTDIR"
            ? "part of the path is a file, not a folder"
          : code === "EBUSY"
            ? "the file is in use (close it in Excel and try again)"
            : e instanceof Error
              ? e.message
              : String(e);
  return new CliError(writing ? "UNWRITABLE_FILE" : "UNREADABLE_FILE", `cannot ${writing ? "write" : "read"} ${path}: ${why}`);
}

/** The one line a user sees, and the exit code, for anything thrown. */
export function describeError(e: unknown): { line: string; exitCode: number; code: string } {
  if (isCliError(e)) return { line: `pipesheet: ${e.message}`, exitCode: e.cause.exitCode, code: String(e.cause.code) };
  const msg = e instanceof Error ? e.message : String(e);
  return { line: `pipesheet: internal error: ${msg} (please report it with the command you ran)`, exitCode: EXIT_CODES.INTERNAL, code: "INTERNAL" };
}
