// The last synced state, kept beside the local file (".deals.csv.pipesheet-sync.json"): the headers each side
// had, and every row's cells as both sides last agreed on them. It is written only after both sides are.
import { createHash } from "node:crypto";
import { mkdir, readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { refused } from "../google/errors.js";
import type { BaseRows } from "./merge.js";
import type { AlignedColumn } from "./table.js";
import { writeFileAtomic } from "../io/atomic.js";

export interface SideState {
  header: string[];
  /** The header a run was about to write; accepted as well, so a run interrupted mid-write can finish. */
  pending?: string[];
}

export interface PairState {
  syncedAt: string;
  sides: Record<string, SideState>;
  /** Aligned column keys, in the order of each row's cells. */
  columns: string[];
  /** [Deal ID, cells] pairs: an array parses faster than an object with a key per deal. */
  rows: [string, (string | null)[]][];
}

interface StateFile {
  version: 1;
  pairs: Record<string, PairState>;
}

export const pairKey = (a: string, b: string): string => [a, b].sort().join(" <-> ");

/**
 * Beside the local file of the pair (of two local files, the one whose path sorts first, so pull, push and
 * sync in either order share one state); for two Google Sheets, in pipesheet's config folder.
 */
export function statePath(localPaths: string[], labels: [string, string], configDir: string): string {
  const local = [...localPaths].sort()[0];
  if (local) return join(dirname(local), `.${basename(local)}.pipesheet-sync.json`);
  const h = createHash("sha256").update(pairKey(...labels)).digest("hex").slice(0, 16);
  return join(configDir, "sync", `${h}.pipesheet-sync.json`);
}

export async function loadState(path: string, key: string): Promise<PairState | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw refused("STATE_UNREADABLE", `cannot read the sync state ${path}: ${(e as Error).message}`);
  }
  let file: StateFile;
  try {
    file = JSON.parse(text) as StateFile;
  } catch {
    throw refused("STATE_DAMAGED", `the sync state ${path} is damaged; move it away to start afresh (the next sync then treats every differing cell as a conflict)`);
  }
  if (file.version !== 1 || typeof file.pairs !== "object") throw refused("STATE_DAMAGED", `the sync state ${path} is from another version of pipesheet`);
  return file.pairs[key] ?? null;
}

/** Writes (or, with null, removes) one pair's state; other pairs in the file stay. Atomic: temp file + rename. */
export async function saveState(path: string, key: string, state: PairState | null): Promise<void> {
  let file: StateFile = { version: 1, pairs: {} };
  try {
    file = JSON.parse(await readFile(path, "utf8")) as StateFile;
  } catch {
    // No file yet (or a damaged one, which loadState already refused).
  }
  if (state) file.pairs[key] = state;
  else delete file.pairs[key];
  await mkdir(dirname(path), { recursive: true });
  if (Object.keys(file.pairs).length === 0) {
    await unlink(path).catch(() => undefined);
    return;
  }
  await writeFileAtomic(path, JSON.stringify(file));
}

/** The state's rows in the current aligned column order (null for columns the state did not have). */
export function baseRows(state: PairState | null, columns: AlignedColumn[]): BaseRows | null {
  if (!state) return null;
  const index = new Map(state.columns.map((k, i) => [k, i]));
  const map = columns.map((c) => index.get(c.key));
  const rows: BaseRows = new Map();
  const identity = map.every((i, k) => i === k) && map.length === state.columns.length;
  for (const [id, cells] of state.rows) rows.set(id, identity ? cells : map.map((i) => (i === undefined ? null : (cells[i] ?? null))));
  return rows;
}

export function describeHeaderChange(was: string[], now: string[]): string {
  const added = now.filter((h) => !was.includes(h));
  const removed = was.filter((h) => !now.includes(h));
  const parts: string[] = [];
  if (added.length > 0) parts.push(`added ${added.map((h) => `"${h}"`).join(", ")}`);
  if (removed.length > 0) parts.push(`removed or renamed ${removed.map((h) => `"${h}"`).join(", ")}`);
  if (parts.length === 0) parts.push("columns moved");
  return parts.join("; ");
}
