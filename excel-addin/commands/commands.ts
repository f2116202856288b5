/// <reference types="office-js" />
// Ribbon commands: "Score leads" runs on the remembered deals sheet without the pane, then says what happened by
// opening the pane (shared runtime), which shows the result or the error in plain words.
import { chooseDealsSheet, discover, runCommand } from "../adapter/command.js";
import { localToday, type Host } from "../adapter/host.js";
import { describeError } from "../taskpane/messages.js";
import { publish } from "./outcome.js";

export interface RibbonEnv {
  host: Host;
  remembered(): string | null;
  today(): string;
  /** Office.addin.showAsTaskpane where the shared runtime has it (SharedRuntime 1.1), else null. */
  showPane: (() => Promise<void>) | null;
}

export async function scoreLeads(env: RibbonEnv, event: { completed(): void }): Promise<void> {
  try {
    const found = await discover(env.host);
    const sheet = chooseDealsSheet(found, env.remembered());
    if (sheet === null) publish({ ok: false, message: "Score leads found no sheet of deals: open the pipesheet pane and pick the deals sheet." });
    else publish({ ok: true, result: await runCommand(env.host, { command: "score", sheet, tabs: found.sheets.map((s) => s.name), today: env.today() }) });
  } catch (e) {
    publish({ ok: false, message: describeError(e) });
  } finally {
    // The pane is the place the result is said; a pane that cannot be opened must not keep the button spinning.
    try {
      await env.showPane?.();
    } finally {
      event.completed();
    }
  }
}

/** Registers the ribbon's actions with Office; the task pane calls this in the runtime it shares with them. */
export function registerCommands(host: Host): void {
  const env: RibbonEnv = {
    host,
    remembered: () => {
      const v = Office.context.document.settings.get("pipesheet.dealsSheet") as unknown;
      return typeof v === "string" ? v : null;
    },
    today: () => localToday(),
    showPane: host.isSetSupported("SharedRuntime", "1.1") ? () => Office.addin.showAsTaskpane() : null,
  };
  Office.actions.associate("scoreLeads", (event: Office.AddinCommands.Event) => void scoreLeads(env, event));
}
