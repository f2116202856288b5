// Deterministic deals sheets for the Sheets tests and bench: every stage, answer spelling and date kind in
// every 100-row stretch, so a 100-row and a 50,000-row sheet have the same shape.
import type { Env } from "./env.js";
import type { FakeSheet } from "./spreadsheet.js";
import { prng } from "../../../samples/generate.js";

export const HEADER = [
  "Deal name",
  "Company",
  "Stage",
  "Value",
  "Owner",
  "Created",
  "Expected close date",
  "Last activity",
  "Need",
  "Budget",
  "Authority",
  "Loss reason",
  "Source",
  "Notes",
];

const STAGES = ["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation", "Won", "Lost", "proposal sent", "Closed Won", "Qualified"];
const OWNERS = ["Ann", "Bob", "Chidi", "Dana", "Eve"];
const NEED = ["High", "medium", "Low", "", "yes", "critical"];
const BUDGET = ["Approved", "Planned", "", "No budget", "allocated"];
const AUTH = ["Decision maker", "Influencer", "user", "", "DM"];
const SOURCES = ["Web", "Referral", "Event", "Outbound"];

/** The samples' seeded generator (mulberry32), so fixtures never change between runs. */
export const rng = prng;

const day = (iso: string, plus: number): Date => new Date(Date.parse(`${iso}T00:00:00Z`) + plus * 86_400_000);

/** Header plus `rows` deals; dates as UTC-midnight Dates (the fake stores them as date-formatted serials). */
export function dealsGrid(rows: number, seed = 7): unknown[][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[], i: number): T => xs[(i + Math.floor(r() * 3)) % xs.length] as T;
  const grid: unknown[][] = [HEADER];
  for (let i = 0; i < rows; i++) {
    const stage = STAGES[i % STAGES.length] as string;
    const created = day("2026-01-05", (i * 7) % 300);
    const lost = /lost/i.test(stage);
    grid.push([
      `Deal ${i + 1}`,
      `Company ${(i % 37) + 1}`,
      stage,
      i % 23 === 5 ? "" : i % 11 === 3 ? `$${(1000 + (i % 50) * 250).toLocaleString("en-US")}` : 1000 + (i % 50) * 250,
      pick(OWNERS, i),
      created,
      i % 9 === 4 ? "" : day("2026-01-05", ((i * 7) % 300) + 30 + (i % 60)),
      i % 4 === 0 ? "" : day("2026-01-05", ((i * 7) % 300) + (i % 40)),
      pick(NEED, i),
      pick(BUDGET, i),
      pick(AUTH, i),
      lost ? (i % 2 ? "Price" : "Timing") : "",
      pick(SOURCES, i),
      i % 13 === 0 ? "00123" : i % 17 === 0 ? "2026-11" : `note ${i}`,
    ]);
  }
  return grid;
}

/** A workbook with the deals on "Deals" (sized like an imported sheet) and one unrelated tab. */
export function dealsBook(env: Env, rows: number, seed = 7): FakeSheet {
  const sheet = env.book.addSheet("Deals", rows + 1, HEADER.length);
  sheet.load(dealsGrid(rows, seed));
  // The team's "Notes" column is plain text, so "00123" and "2026-11" stay as typed.
  for (let r = 1; r <= rows; r++) sheet.setFormat(r, HEADER.length - 1, "@");
  const other = env.book.addSheet("Targets", 20, 5);
  other.load([["Quarter", "Target"], ["2026-Q4", 250000]]);
  return sheet;
}
