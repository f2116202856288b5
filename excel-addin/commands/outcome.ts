// What the ribbon's command did, handed to the task pane in the same (shared) runtime: the last outcome is kept,
// so a pane that opens after the command still shows it.
import type { CommandResult } from "../adapter/command.js";

export type Outcome = { ok: true; result: CommandResult } | { ok: false; message: string };

let last: Outcome | null = null;
const listeners = new Set<(o: Outcome) => void>();

export function publish(o: Outcome): void {
  last = o;
  for (const l of listeners) l(o);
}

/** Calls `fn` with the last outcome, if any, and every later one; returns the unsubscribe. */
export function subscribe(fn: (o: Outcome) => void): () => void {
  if (last) fn(last);
  listeners.add(fn);
  return () => listeners.delete(fn);
}
