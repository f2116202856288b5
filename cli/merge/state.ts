// The last synced state, kept beside the local file (".deals.csv.pipesheet-sync.json"): the headers each side
// had, and every row's cells as both sides last agreed on them; and the journal of a run in progress
// (".deals.csv.pipesheet-sync.<pair>.journal.json"), which lets a run that was killed be finished exactly.
// The order in which a run writes these files is the protocol in README ("Crash safety").
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { refused } from "../google/errors.js";
import type { BaseRows } from "./merge.js";
import type { AlignedColumn } from "./table.js";
import { writeFileAtomic, writeTarget } from "../io/atomic.js";

export interface SideState {
  header: string[];
  /** Written by pipesheet before 0.2 (a header a run was about to write); read, never written. */
  pending?: string[];
}

export interface PairState {
  syncedAt: string;
  /** The run that wrote this state; a journal of the same run is already committed. */
  run?: string;
  /** By place (see `placeOf`). */
  sides: Record<string, SideState>;
  /** Aligned column keys, in the order of each row's cells. */
  columns: string[];
  /** [Deal ID, cells] pairs: an array parses faster than an object with a key per deal. */
  rows: [string, (string | null)[]][];
}

/**
 * What a run decided before it wrote either side: the header each side gets, and the Deal ID each row that had
 * none gets, recognised by a fingerprint of the row as read. A run that finds the journal of a run that never
 * committed gives those rows the same IDs, so a deal copied to the other side before the kill is met, not doubled.
 */
export interface Journal {
  run: string;
  startedAt: string;
  sides: Record<string, { header: string[]; ids: [string, string][] }>;
}

interface StateFile {
  version: 1 | 2;
  pairs: Record<string, PairState>;
}

export interface Loaded {
  state: PairState | null;
  /** The journal of a run that did not finish, or null. */
  journal: Journal | null;
  /** Set when the state was recorded for the same files under other paths. */
  movedFrom: string | null;
  /** A journal of a run that did commit was left (killed before step 4): to be removed. */
  staleJournal: boolean;
  /** The key the state was found under when it is not the pair's own (older pipesheet, a moved folder): dropped on save. */
  foundUnder: string | null;
}

export const pairKey = (a: string, b: string): string => [a, b].sort().join(" <-> ");

/**
 * A side's place, the same however it was named: for a file, its real path with symlinks resolved (so
 * "a.csv", "./a.csv", "/home/me/a.csv" and a link to it are one place), plus "#Sheet" for a workbook.
 */
export async function placeOf(side: { label: string; localPath: string | null }): Promise<string> {
  if (side.localPath === null) return side.label;
  const real = await writeTarget(side.localPath);
  return side.label.startsWith(side.localPath) ? `${real}${side.label.slice(side.localPath.length)}` : real;
}

/** A place without its folder: what stays the same when a folder is moved. */
export const tail = (place: string): string => (place.startsWith("/") || /^[A-Za-z]:[\\/]/.test(place) ? basename(place) : place);

/**
 * Beside the local file of the pair (of two local files, the one whose real path sorts first, so pull, push
 * and sync in either order share one state); for two Google Sheets, in pipesheet's config folder.
 */
export function statePath(localFiles: string[], places: [string, string], configDir: string): string {
  const local = [...localFiles].sort()[0];
  if (local) return join(dirname(local), `.${basename(local)}.pipesheet-sync.json`);
  const h = createHash("sha256").update(pairKey(...places)).digest("hex").slice(0, 16);
  return join(configDir, "sync", `${h}.pipesheet-sync.json`);
}

export const journalPath = (statePath: string, key: string): string =>
  statePath.replace(/\.json$/, `.${createHash("sha256").update(key).digest("hex").slice(0, 12)}.journal.json`);

async function readStateFile(path: string): Promise<StateFile | null> {
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
  if ((file.version !== 1 && file.version !== 2) || typeof file.pairs !== "object" || file.pairs === null)
    throw refused("STATE_DAMAGED", `the sync state ${path} is from another version of pipesheet`);
  return file;
}

/**
 * The pair's state: under its key; else under the key pipesheet before 0.2 used (the labels as typed); else,
 * when exactly one pair in the file is the same files in another folder, that one (reported as moved).
 */
export async function loadState(path: string, key: string, legacyKey: string): Promise<Loaded> {
  const file = await readStateFile(path);
  const journal = await loadJournal(journalPath(path, key));
  if (!file) return { state: null, journal, movedFrom: null, staleJournal: false, foundUnder: null };
  const underKey = file.pairs[key];
  const exact = underKey ?? file.pairs[legacyKey];
  if (exact) {
    const stale = journal !== null && journal.run === exact.run;
    return { state: exact, journal: stale ? null : journal, movedFrom: null, staleJournal: stale, foundUnder: underKey || legacyKey === key ? null : legacyKey };
  }
  const want = key.split(" <-> ").map(tail).sort().join(" <-> ");
  const moved = Object.keys(file.pairs).filter((k) => k.includes("/") && k.split(" <-> ").map(tail).sort().join(" <-> ") === want);
  if (moved.length === 1) {
    const was = moved[0] as string;
    return { state: file.pairs[was] as PairState, journal: null, movedFrom: was, staleJournal: false, foundUnder: was };
  }
  return { state: null, journal, movedFrom: null, staleJournal: false, foundUnder: null };
}

async function loadJournal(path: string): Promise<Journal | null> {
  try {
    const j = JSON.parse(await readFile(path, "utf8")) as Journal;
    return typeof j.run === "string" && typeof j.sides === "object" && j.sides !== null ? j : null;
  } catch {
    // None, or one torn by a crash of the disk itself: without it a rerun still converges, except that rows
    // without an ID that were copied across before the kill would be met as new.
    return null;
  }
}

export const newRun = (): string => randomUUID();

/** Step 1 of a run that writes: what it decided, before either side is touched. Private: 0600. */
export async function saveJournal(statePath: string, key: string, j: Journal): Promise<void> {
  await mkdir(dirname(statePath), { recursive: true });
  await writeFileAtomic(journalPath(statePath, key), JSON.stringify(j), 0o600);
}

export async function dropJournal(statePath: string, key: string): Promise<void> {
  await unlink(journalPath(statePath, key)).catch(() => undefined);
}

/**
 * Writes (or, with null, removes) one pair's state; other pairs in the file stay, and `movedFrom` (the same
 * pair under old paths) goes. Atomic (temp file, flush, rename) and private (0600: it holds every row).
 */
export async function saveState(path: string, key: string, state: PairState | null, drop: string[] = []): Promise<void> {
  let file: StateFile = { version: 2, pairs: {} };
  try {
    file = JSON.parse(await readFile(path, "utf8")) as StateFile;
  } catch {
    // No file yet (or a damaged one, which loadState already refused).
  }
  file.version = 2;
  for (const k of drop) delete file.pairs[k];
  if (state) file.pairs[key] = state;
  else delete file.pairs[key];
  await mkdir(dirname(path), { recursive: true });
  if (Object.keys(file.pairs).length === 0) {
    await unlink(path).catch(() => undefined);
    return;
  }
  await writeFileAtomic(path, JSON.stringify(file), 0o600);
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
