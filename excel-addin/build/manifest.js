// Rewrites the manifest's dev URLs (https://localhost:3000/) to where the add-in is hosted in production.
export const DEV_URL = "https://localhost:3000/";

/** @param {string} xml @param {string} url the production base URL, e.g. "https://pipesheet.example.com/addin/" */
export function rewriteManifest(xml, url) {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:") throw new Error(`The production URL must use https (Office loads add-ins only over https): ${url}`);
  const base = parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
  return xml.split(DEV_URL).join(base).split(DEV_URL.slice(0, -1)).join(parsed.origin);
}

/**
 * Where the production add-in is hosted: --env url=… or PIPESHEET_URL. There is no default, so a build
 * never ships a manifest pointing at a host that is not the team's.
 * @param {string | undefined} explicit @param {string | undefined} fromEnv
 */
export function productionUrl(explicit, fromEnv) {
  const url = explicit ?? fromEnv;
  if (url === undefined || url.trim() === "")
    throw new Error(
      "npm run build writes the production manifest, which must point at where you host the add-in.\n" +
        "Set it: PIPESHEET_URL=https://your.host/pipesheet/ npm run build   (or npm run build -- --env url=https://…)\n" +
        "To try the add-in without hosting it, run npm run playground.",
    );
  return url.trim();
}
