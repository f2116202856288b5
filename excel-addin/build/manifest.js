// Rewrites the manifest's dev URLs (https://localhost:3000/) to where the add-in is hosted in production.
export const DEV_URL = "https://localhost:3000/";

/** @param {string} xml @param {string} url the production base URL, e.g. "https://pipesheet.example.com/addin/" */
export function rewriteManifest(xml, url) {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:") throw new Error(`The production URL must use https (Office loads add-ins only over https): ${url}`);
  const base = parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
  return xml.split(DEV_URL).join(base).split(DEV_URL.slice(0, -1)).join(parsed.origin);
}
