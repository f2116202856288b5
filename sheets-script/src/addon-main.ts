// The add-on bundle's entry: the bound script's entry points, with the add-on's onOpen and onInstall.
import * as addon from "./addon.js";
import * as entries from "./entries.js";
import { ENTRY_POINTS } from "./names.js";
import { installPolyfills } from "./polyfills.js";

const g = globalThis as unknown as Record<string, unknown>;
installPolyfills(g);
for (const name of ENTRY_POINTS) g[name] = entries[name];
g.onOpen = addon.onOpen;
g.onInstall = addon.onInstall;
