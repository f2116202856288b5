// The saved Google sign-in: ~/.config/pipesheet/token.json, readable only by its owner (file 0600, folder 0700).
import { chmod, mkdir, readFile, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { errnoCode } from "../errors.js";

export interface SavedToken {
  type: "pipesheet-oauth";
  client_id: string;
  client_secret: string;
  refresh_token: string;
  access_token?: string;
  expiry_date?: number;
  scope: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIPESHEET_CONFIG_DIR) return env.PIPESHEET_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== "" ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
  return join(base, "pipesheet");
}

export const tokenPath = (env: NodeJS.ProcessEnv = process.env): string => join(configDir(env), "token.json");

/** Creates the folder as 0700, and tightens it if it already exists more open. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== "win32") {
    const s = await stat(dir);
    if ((s.mode & 0o077) !== 0) await chmod(dir, 0o700);
  }
}

export async function saveToken(path: string, token: SavedToken): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await writeFileAtomic(path, `${JSON.stringify(token, null, 2)}\n`, 0o600);
}

/** The saved token, or null when nobody has signed in. A file others can read is tightened first. */
export async function loadToken(path: string): Promise<{ token: SavedToken; tightened: boolean } | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return null;
    throw e;
  }
  let tightened = false;
  if (process.platform !== "win32") {
    const s = await stat(path);
    if ((s.mode & 0o077) !== 0) {
      await chmod(path, 0o600);
      tightened = true;
    }
  }
  const token = JSON.parse(text) as SavedToken;
  if (token.type !== "pipesheet-oauth" || !token.refresh_token || !token.client_id) throw new Error(`${path} is not a pipesheet sign-in; delete it and run \`pipesheet login\``);
  return { token, tightened };
}

export async function deleteToken(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return false;
    throw e;
  }
}
