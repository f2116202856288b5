// `pipesheet push SOURCE TARGET`: send SOURCE's changes to TARGET (one way), merged by Deal ID.
import type { Command as Program } from "commander";
import type { Output } from "./run.js";
import { syncCommand, syncOptions, type SyncCliOptions } from "./sync.js";

export function register(program: Program, io: Output): void {
  syncOptions(
    program
      .command("push")
      .summary("send a local sheet's changes to another (e.g. deals.csv to a Google Sheet)")
      .description(
        "Send SOURCE's changes since the last sync to TARGET, matched by Deal ID. TARGET's own edits stay; a cell changed on both sides is listed as a conflict, never overwritten. SOURCE only gets Deal IDs for rows that had none.",
      )
      .argument("<source>", "where changes come from: deals.csv, book.xlsx#Deals, gsheet:ID#Deals")
      .argument("<target>", "where they go: gsheet:ID#Deals, book.xlsx#Deals, deals.csv"),
    [
      ["pipesheet push deals.csv gsheet:1AbC…#Deals", "deals.csv's changes to the Google Sheet"],
      ["pipesheet push deals.csv team.xlsx#Deals --delete", "deletions too"],
    ],
  ).action(async (source: string, target: string, opts: SyncCliOptions) => {
    await syncCommand("push", source, target, opts, io);
  });
}
