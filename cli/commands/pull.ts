// `pipesheet pull SOURCE TARGET`: bring SOURCE's changes into TARGET (one way), merged by Deal ID.
import type { Command as Program } from "commander";
import type { Output } from "./run.js";
import { syncCommand, syncOptions, type SyncCliOptions } from "./sync.js";

export function register(program: Program, io: Output): void {
  syncOptions(
    program
      .command("pull")
      .summary("bring one sheet's changes into another (e.g. a Google Sheet or a CRM export into deals.csv)")
      .description(
        "Bring SOURCE's changes since the last sync into TARGET, matched by Deal ID. TARGET's own edits stay; a cell changed on both sides is listed as a conflict, never overwritten. SOURCE only gets Deal IDs for rows that had none. A CRM export's columns (HubSpot, Pipedrive, Salesforce) are matched to TARGET's by meaning.",
      )
      .argument("<source>", "where changes come from: gsheet:ID#Deals, export.csv, book.xlsx#Deals")
      .argument("<target>", "where they go: deals.csv, book.xlsx#Deals, gsheet:ID#Deals"),
    [
      ["pipesheet pull gsheet:1AbC…#Deals deals.csv", "the Google Sheet's changes into deals.csv"],
      ["pipesheet pull hubspot-export.csv deals.csv --dry-run", "what a CRM export would change"],
    ],
  ).action(async (source: string, target: string, opts: SyncCliOptions) => {
    await syncCommand("pull", source, target, opts, io);
  });
}
