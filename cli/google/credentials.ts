// Credentials fetched once and only when a Google Sheet is involved: the Google client takes a while to load,
// so only a run that reaches a Google Sheet pays for it.
import type { Credentials } from "./auth.js";

/** `say` gets the lines sign-in has for the person at the terminal (which account, which key). */
export function lazyCredentials(key: string | undefined, say: (line: string) => void): () => Promise<Credentials> {
  let got: Promise<Credentials> | null = null;
  return () => (got ??= import("./auth.js").then((m) => m.getCredentials(key ?? null, process.env, say)));
}
