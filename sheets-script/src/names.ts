// The functions Apps Script must find by name: triggers, menu items and what the sidebar calls through google.script.run.
export const ENTRY_POINTS = [
  "onOpen",
  "onEdit",
  "pipelineSetup",
  "pipelineScore",
  "pipelineReview",
  "openSidebar",
  "sidebarState",
  "sidebarRun",
  "sidebarSelect",
  "sidebarLogActivity",
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** The private Editor add-on's entry points: the same, plus onInstall (it runs once, when a user installs it). */
export const ADDON_ENTRY_POINTS = [...ENTRY_POINTS, "onInstall"] as const;

/** Document-property keys pipesheet keeps between executions. */
export const PROP_STAGE = "pipesheet.stage";
export const PROP_RESUME = "pipesheet.resume";
export const PROP_VALIDATIONS = "pipesheet.validations";
export const PROP_LAST = "pipesheet.last";

/** Marker in the help text of pipesheet's drop-downs, so a later run can tell them from the team's own. */
export const VALIDATION_MARKER = "(pipesheet)";
