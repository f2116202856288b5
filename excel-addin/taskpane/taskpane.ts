/// <reference types="office-js" />
// Task pane entry, in the runtime the ribbon commands share (manifest <Runtimes lifetime="long">): register the
// commands, wait for Office, then start the pane against the real Excel. The runtime outlives the closed pane,
// so stage stamping goes on.
import { registerCommands } from "../commands/commands.js";
import { localToday, officeHost } from "../adapter/host.js";
import { startPane } from "./pane.js";

void Office.onReady((info) => {
  if (info.host !== Office.HostType.Excel) {
    const error = document.getElementById("error");
    if (error) {
      error.textContent = "pipesheet runs in Excel. Open this add-in from Excel's Home tab.";
      error.hidden = false;
    }
    return;
  }
  const host = officeHost();
  registerCommands(host);
  const shared = host.isSetSupported("SharedRuntime", "1.1");
  void startPane(host, {
    today: () => localToday(),
    settings: Office.context.document.settings,
    // After set-up the runtime starts with the workbook, so stamping works before anyone opens the pane.
    loadWithDocument: shared ? () => Office.addin.setStartupBehavior(Office.StartupBehavior.load) : null,
    sharedRuntime: shared,
  });
});
