// Write beside the target, then rename over it: a crash or a full disk never leaves half a file behind.
import { chmod, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** `mode` is set when the file is created, so a secret is never readable by others, not even for a moment. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, data, mode === undefined ? {} : { mode });
    if (mode !== undefined && process.platform !== "win32") await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
