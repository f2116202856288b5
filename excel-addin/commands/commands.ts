/// <reference types="office-js" />
// Ribbon commands: "Score leads" runs without the pane, on the active deals sheet.
import { chooseDealsSheet, discover, runCommand } from "../adapter/command.js";
import { localToday, officeHost } from "../adapter/host.js";

async function scoreLeads(event: Office.AddinCommands.Event): Promise<void> {
  try {
    const host = officeHost();
    const found = await discover(host);
    const remembered = Office.context.document.settings.get("pipesheet.dealsSheet") as unknown;
    const sheet = chooseDealsSheet(found, typeof remembered === "string" ? remembered : null);
    if (sheet !== null) await runCommand(host, { command: "score", sheet, tabs: found.sheets.map((s) => s.name), today: localToday() });
  } catch {
    // A ribbon command has no place to show an error; the pane shows the same problems when opened.
  } finally {
    event.completed();
  }
}

void Office.onReady(() => {
  Office.actions.associate("scoreLeads", scoreLeads);
});
