/// <reference types="office-js" />
// Task pane entry: wait for Office, then start the pane against the real Excel.
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
  void startPane(officeHost(), { today: () => localToday(), settings: Office.context.document.settings });
});
