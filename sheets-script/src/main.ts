// The bundle's entry: installs what plain V8 lacks and puts the entry points on the global object.
import * as entries from "./entries.js";
import { ENTRY_POINTS } from "./names.js";
import { installPolyfills } from "./polyfills.js";

const g = globalThis as unknown as Record<string, unknown>;
installPolyfills(g);
for (const name of ENTRY_POINTS) g[name] = entries[name];
