// The one way pipesheet writes a file: beside the target, flushed, then renamed over it, so a crash, a kill
// or a full disk never leaves half a file behind; and the file keeps what it was (mode, owner, the symlink
// that points at it), because a rewrite by pipesheet should look like an edit, not a new file.
import { appendFileSync, closeSync, fsyncSync, openSync } from "node:fs";
import { chmod, chown, lstat, open, readdir, readlink, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/**
 * PIPESHEET_TEST_KILL_AT=step:n makes the process kill itself with SIGKILL the n-th time it reaches `step`
 * (the tests' kill harness; unset in real use). Steps: "before-rename" and "after-rename" (every file write),
 * "before-request" and "after-request" (every Google API call). PIPESHEET_TEST_STEPS=file appends each step
 * reached to `file`, so the harness knows the points of a run without trying past its end. Checked here only.
 */
const KILL_AT = ((): { step: string; n: number } | null => {
  const spec = process.env.PIPESHEET_TEST_KILL_AT;
  if (!spec) return null;
  const m = /^([a-z-]+)(?::(\d+))?$/.exec(spec);
  return m ? { step: m[1] as string, n: Number(m[2] ?? "1") } : null;
})();
const STEPS_FILE = process.env.PIPESHEET_TEST_STEPS ?? "";
const reached = new Map<string, number>();

export function killPoint(step: string, what = ""): void {
  if (STEPS_FILE !== "") appendFileSync(STEPS_FILE, `${step} ${what}\n`);
  if (KILL_AT === null || KILL_AT.step !== step) return;
  const n = (reached.get(step) ?? 0) + 1;
  reached.set(step, n);
  if (n === KILL_AT.n) process.kill(process.pid, "SIGKILL");
}

/** The file a write to `path` lands in: a symlink's final target (even a dangling one), else `path` itself. */
export async function writeTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // Not there yet. A dangling symlink still names where the file belongs.
  }
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!(await lstat(p)).isSymbolicLink()) break;
    } catch {
      break;
    }
    p = resolve(dirname(p), await readlink(p));
  }
  try {
    return join(await realpath(dirname(p)), basename(p));
  } catch {
    return p;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Temp files a killed run left beside `target` (their process is gone): nothing will ever rename them. */
async function removeStale(target: string): Promise<void> {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length, -4));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) await unlink(join(dirname(target), name)).catch(() => undefined);
  }
}

function fsyncDir(dir: string): void {
  if (process.platform === "win32") return;
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse to sync a folder; the rename itself is still atomic.
  }
}

/**
 * Writes `data` to `path` atomically. A symlink is followed and its target rewritten (the link stays a link);
 * an existing file keeps its mode and owner. `mode`, when given, is the mode the file must have (a secret's
 * 0600): set on the temp file before any data goes in, so it is never readable by others, not even briefly.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const target = await writeTarget(path);
  let keep: { mode: number; uid: number; gid: number } | null = null;
  try {
    const st = await stat(target);
    keep = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    // A new file: the umask decides, as for any file the user's programs create.
  }
  await removeStale(target);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const wanted = mode ?? keep?.mode;
  try {
    const fh = await open(tmp, "w", wanted ?? 0o666);
    try {
      if (wanted !== undefined && process.platform !== "win32") await fh.chmod(wanted);
      await fh.writeFile(data);
      // Flushed before the rename, so after a power cut the name points at the whole new file or the old one.
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (keep && process.platform !== "win32") {
      const mine = await stat(tmp);
      if (mine.uid !== keep.uid || mine.gid !== keep.gid) {
        // Only root (or the owner, for the group) may give a file away; otherwise the new file is the writer's,
        // as it would be after any editor's save.
        await chown(tmp, keep.uid, keep.gid).catch(() => undefined);
        // chown clears set-id bits; put the mode back.
        if (wanted !== undefined) await chmod(tmp, wanted).catch(() => undefined);
      }
    }
    killPoint("before-rename", target);
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  fsyncDir(dirname(target));
  killPoint("after-rename", target);
}
