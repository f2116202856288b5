// How the CLI talks to its terminal: the one JSON document of a --json run, colour (only on a terminal, never
// with NO_COLOR or --no-color), the width to wrap at, and counts as people read them.

export interface Output {
  stdout: { write(s: string | Uint8Array): boolean; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): boolean; isTTY?: boolean; columns?: number };
  /**
   * With --json, where a command hands its one document. main() prints it once at the end, with the error
   * merged in when the run fails after it (sync's conflicts), so stdout always holds exactly one document.
   */
  json?: (doc: object, pretty?: boolean) => void;
}

/** Hands a command's --json document to main(), or prints it when the command runs outside main (tests). */
export function emitJson(io: Output, doc: object, pretty = false): void {
  if (io.json) io.json(doc, pretty);
  else io.stdout.write(`${JSON.stringify(doc, null, pretty ? 2 : undefined)}\n`);
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

const sgr =
  (on: number, off: number) =>
  (s: string): string =>
    `\x1b[${on}m${s}\x1b[${off}m`;
const PLAIN: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, green: (s) => s };
const ANSI: Style = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39) };

/**
 * Colour follows the conventions of no-color.org and most CLIs: on only when the stream is a terminal, off
 * with NO_COLOR (any non-empty value) or --no-color; FORCE_COLOR (non-zero) turns it on for a pipe.
 */
export function colorEnabled(stream: { isTTY?: boolean }, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}

export const styleFor = (enabled: boolean): Style => (enabled ? ANSI : PLAIN);

/** --width when given; else the terminal's width (a pipe or a pty without a size: the classic 80). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, option: number | undefined): number {
  if (option !== undefined) return option;
  if (stream.isTTY && stream.columns !== undefined && stream.columns >= 40) return Math.min(stream.columns, 200);
  return 80;
}

/** 1234567 as "1,234,567": counts in our own lines read the way the review prints them. */
export const count = (n: number): string => n.toLocaleString("en-US");

/** Longest text of a cell quoted in a line at the terminal; the --json document keeps it whole. */
export const QUOTED_MAX = 60;
/** Longest message at the terminal (a cell's text can be 32,767 characters: never thousands of lines). */
export const MESSAGE_MAX = 400;

/** `text` cut to at most `max` characters, with an ellipsis where it was cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** A problem's message as the terminal shows it: each quoted cell text shortened, and the whole message too. */
export const terminalMessage = (message: string): string => shorten(message.replace(/"([^"]*)"/g, (_m, inner: string) => `"${shorten(inner, QUOTED_MAX)}"`), MESSAGE_MAX);

/** Problems as the terminal lists them (shortened messages); --json prints the problems as they are. */
export const terminalProblems = <P extends { message: string }>(problems: readonly P[]): P[] => problems.map((p) => (p.message.length <= QUOTED_MAX ? p : { ...p, message: terminalMessage(p.message) }));
