// Errors in plain words: what happened and what to do, never a stack trace.
import { errorCode } from "../adapter/host.js";

const BY_CODE: Record<string, string> = {
  InvalidOperationInCellEditMode: "Excel is busy editing a cell. Press Enter or Esc to finish the cell, then try again.",
  AccessDenied: "The sheet or workbook is protected, so pipesheet cannot write to it. Unprotect it (Review › Unprotect Sheet) and try again.",
  ItemNotFound: "A sheet pipesheet needs was renamed or deleted while it worked. Pick the deals sheet again and retry.",
  ItemAlreadyExists: "A sheet with one of pipesheet's tab names already exists in a different form. Rename it and try again.",
  RequestPayloadSizeLimitExceeded: "Excel refused the update as too large. Try again; if it keeps happening, run the command in Excel for Windows or Mac.",
  ResponsePayloadSizeLimitExceeded: "Excel refused to send the sheet as too large. Try again; if it keeps happening, run the command in Excel for Windows or Mac.",
  Conflict: "Someone else changed the workbook at the same moment. Try again.",
  ServiceNotAvailable: "Excel is not responding right now. Wait a moment and try again.",
  Unauthenticated: "Excel needs you to sign in again before pipesheet can change the workbook.",
};

function location(e: unknown): string {
  const info = typeof e === "object" && e !== null ? (e as { debugInfo?: { errorLocation?: unknown } }).debugInfo : undefined;
  return typeof info?.errorLocation === "string" ? info.errorLocation : "";
}

export function describeError(e: unknown): string {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  // Excel also answers ItemNotFound when one of its own rules cannot be changed (office-js#5222): not a missing sheet.
  if (code === "ItemNotFound" && location(e).startsWith("ConditionalFormat"))
    return "Excel could not update pipesheet's conditional format because another rule covers the same cells. Open Home › Conditional Formatting › Manage Rules, delete the rule whose formula starts with =AND(N(\"pipesheet:, and run the command again.";
  if (code === "InvalidOperation" && /cell-?edit/i.test(message)) return BY_CODE.InvalidOperationInCellEditMode as string;
  if (code !== null && BY_CODE[code]) return BY_CODE[code] as string;
  if (code !== null)
    return `Excel could not finish the command (${code}). Some of pipesheet's columns may be half updated; run the command again to finish. Your own cells were not touched.`;
  return `Something went wrong: ${message}`;
}
