// pipesheet's own tabs, one list for every host: never a deals sheet, and written in this order.
import { TAB_LOG, TAB_REVIEW, TAB_SETTINGS } from "./types.js";

export const OWN_TABS: readonly string[] = [TAB_REVIEW, TAB_SETTINGS, TAB_LOG];

const OWN = new Set(OWN_TABS.map((t) => t.toLowerCase()));

/** Whether a tab is one of pipesheet's own, by name in any case. */
export const isOwnTab = (name: string): boolean => OWN.has(name.toLowerCase());
