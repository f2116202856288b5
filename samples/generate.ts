// The bundled sample pipeline (samples/pipeline.csv) and the big synthetic pipelines the benches use.
// Everything is seeded, so the same call always gives the same sheet.
import { writeFileSync } from "node:fs";
import { createWriteStream } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Papa from "papaparse";

/** mulberry32: small, fast and good enough for sample data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

const DAY_MS = 86_400_000;
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const iso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const mdy = (day: number): string => {
  const d = new Date(day * DAY_MS);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
};

/** The date the bundled sample is written against (`npm start` passes it as --today). */
export const SAMPLE_TODAY = "2026-11-26";
export const SAMPLE_SEED = 20261126;
export const SAMPLE_ROWS = 400;

export const SAMPLE_HEADER = [
  "Deal ID",
  "Deal name",
  "Company",
  "Stage",
  "Value",
  "Owner",
  "Source",
  "Product",
  "Industry",
  "Created",
  "Expected close",
  "Stage entered",
  "Last activity",
  "First contact",
  "Next step",
  "Need",
  "Budget",
  "Authority",
  "Loss reason",
] as const;

const OWNERS = ["Avery Chen", "Jordan Patel", "Sam Okafor", "Riley Novak", "Morgan Diaz"];
const SOURCES = ["Inbound", "Referral", "Outbound", "Event", "Partner"];
const PRODUCTS = ["Starter", "Team", "Enterprise", "Add-on"];
const INDUSTRIES = ["Software", "Retail", "Healthcare", "Manufacturing", "Finance", "Education"];
const COMPANY_A = ["Blue", "North", "Bright", "Iron", "Silver", "Maple", "Harbor", "Summit", "Cedar", "Atlas", "Nova", "Granite"];
const COMPANY_B = ["Peak", "Works", "Labs", "Logistics", "Foods", "Health", "Systems", "Partners", "Retail", "Analytics", "Motors", "Media"];
const COMPANY_C = ["Inc", "LLC", "Ltd", "Co", "Group", "GmbH"];
const DEAL_KIND = ["renewal", "expansion", "pilot", "rollout", "new logo", "upgrade"];
const NEXT_STEPS = ["Send follow-up deck", "Book demo with IT", "Call to confirm budget", "Share case study", "Review contract redlines", ""];
const LOSS_REASONS = ["Price too high", "Chose a competitor", "No decision", "Timing", "Missing feature", "Budget cut"];

// Open stages with their typical stay and how the team happens to spell them.
const OPEN = [
  { spellings: ["Prospecting", "prospecting", "Prospect"], stay: 10 },
  { spellings: ["Lead qualification", "Qualification", "Qualified"], stay: 10 },
  { spellings: ["Meeting", "Demo", "meeting"], stay: 14 },
  { spellings: ["Proposal", "Proposal sent", "proposal"], stay: 16 },
  { spellings: ["Negotiation", "negotiation", "Contract sent"], stay: 20 },
] as const;
const WON = ["Won", "Closed Won", "closed won"];
const LOST = ["Lost", "Closed Lost", "closed lost"];

// Answers in the spellings people actually type; the index is the strength (0 weakest).
const NEED = [["No", "none", "0"], ["Low", "maybe", "1"], ["Medium", "partial", "nice to have"], ["High", "yes", "Critical", "3"]];
const BUDGET = [["No budget", "no", "none"], ["Limited", "low", "small"], ["Planned", "pending approval", "partial"], ["Approved", "yes", "allocated"]];
const AUTHORITY = [["No authority", "no", "none"], ["User", "end user", "gatekeeper"], ["Influencer", "champion", "partial"], ["Decision maker", "DM", "economic buyer"]];

function money(rnd: () => number, value: number): string {
  const r = rnd();
  if (r < 0.4) return String(value);
  if (r < 0.7) return `$${value.toLocaleString("en-US")}`;
  if (r < 0.82 && value % 1000 === 0) return `${value / 1000}k`;
  if (r < 0.92) return `$ ${value.toLocaleString("en-US")}.00`;
  return `USD ${value.toLocaleString("en-US")}`;
}

/** A date as the team typed it: mostly ISO, some month-first text (the sample's locale is MDY). */
const typed = (rnd: () => number, day: number): string => (rnd() < 0.85 ? iso(day) : mdy(day));

function answer(rnd: () => number, table: string[][], strength: number): string {
  if (rnd() < 0.12) return "";
  const s = Math.max(0, Math.min(3, strength + (rnd() < 0.3 ? (rnd() < 0.5 ? -1 : 1) : 0)));
  return pick(rnd, table[s] as string[]);
}

/**
 * The bundled sample: a few hundred realistic deals against `SAMPLE_TODAY`, with every stage,
 * stuck deals, closed history for the win model and a handful of deliberately bad cells.
 */
export function samplePipeline(rows = SAMPLE_ROWS, seed = SAMPLE_SEED): string[][] {
  const rnd = prng(seed);
  const today = dayOf(SAMPLE_TODAY);
  const grid: string[][] = [[...SAMPLE_HEADER]];
  for (let i = 0; i < rows; i++) {
    const owner = pick(rnd, OWNERS);
    const source = pick(rnd, SOURCES);
    const product = pick(rnd, PRODUCTS);
    const industry = pick(rnd, INDUSTRIES);
    const company = `${pick(rnd, COMPANY_A)} ${pick(rnd, COMPANY_B)} ${pick(rnd, COMPANY_C)}`;
    const fit = Math.floor(rnd() * 4);
    const need = answer(rnd, NEED, fit);
    const budget = answer(rnd, BUDGET, fit);
    const authority = answer(rnd, AUTHORITY, Math.floor(rnd() * 4));
    // About 60 % of the sheet is closed history; open deals are younger, as in a live pipeline.
    const closed = rnd() < 0.6;
    const created = closed ? today - 30 - Math.floor(rnd() * 500) : today - 3 - Math.floor(rnd() * rnd() * 200);
    const base = product === "Enterprise" ? 40_000 : product === "Team" ? 12_000 : product === "Add-on" ? 3_000 : 6_000;
    const value = Math.round((base * (0.5 + rnd() * 1.5)) / 100) * 100;
    const firstContact = rnd() < 0.85 ? created + Math.floor(rnd() * rnd() * 6) : null;

    let stage: string;
    let stageIdx: number;
    let entered: number;
    let close: number;
    let lossReason = "";
    let lastActivity: number;
    if (closed) {
      const winChance = 0.15 + fit * 0.17 + (source === "Referral" ? 0.15 : 0) + (owner === "Sam Okafor" ? 0.08 : 0);
      const won = rnd() < winChance;
      stage = pick(rnd, won ? WON : LOST);
      stageIdx = won ? 5 : 6;
      close = Math.min(today - 1, created + 15 + Math.floor(rnd() * 110));
      entered = close;
      lastActivity = close;
      if (!won && rnd() < 0.9) lossReason = pick(rnd, LOSS_REASONS);
    } else {
      const r = rnd();
      stageIdx = r < 0.27 ? 0 : r < 0.5 ? 1 : r < 0.7 ? 2 : r < 0.87 ? 3 : 4;
      const o = OPEN[stageIdx] as (typeof OPEN)[number];
      stage = pick(rnd, o.spellings);
      // About one open deal in six has sat far too long in its stage.
      const stuck = rnd() < 0.16;
      const stay = stuck ? o.stay * (2 + rnd() * 5) : o.stay * rnd() * 1.2;
      entered = Math.max(created, today - Math.round(stay));
      // One open deal in ten is past its expected close date.
      close = rnd() < 0.1 ? Math.max(created + 7, today - 1 - Math.floor(rnd() * 40)) : today + 10 + Math.floor(rnd() * 90);
      lastActivity = stuck && rnd() < 0.6 ? entered : Math.max(entered, today - Math.floor(rnd() * 12));
    }
    const id = `D-${String(1001 + i)}`;
    grid.push([
      id,
      `${company.split(" ").slice(0, 2).join(" ")} ${pick(rnd, DEAL_KIND)}`,
      company,
      stage,
      money(rnd, value),
      owner,
      source,
      product,
      industry,
      typed(rnd, created),
      typed(rnd, close),
      stageIdx < 5 && rnd() < 0.15 ? "" : typed(rnd, entered),
      typed(rnd, lastActivity),
      firstContact === null ? "" : iso(firstContact),
      stageIdx < 5 ? pick(rnd, NEXT_STEPS) : "",
      need,
      budget,
      authority,
      lossReason,
    ]);
  }
  // The handful of bad cells every real sheet has; fixed rows so the README can point at them.
  const col = (name: (typeof SAMPLE_HEADER)[number]): number => SAMPLE_HEADER.indexOf(name);
  const set = (row: number, name: (typeof SAMPLE_HEADER)[number], v: string): void => {
    const r = grid[row];
    if (r) r[col(name)] = v;
  };
  set(12, "Value", "tbd");
  set(27, "Created", "2026-02-30");
  set(41, "Stage", "Negotation");
  set(58, "Deal ID", (grid[57] as string[])[col("Deal ID")] as string);
  set(73, "Value", "twelve grand");
  set(88, "Deal ID", "");
  set(104, "Expected close", "31/04/2026");
  set(119, "Stage", "");
  return grid;
}

const SYN_STAGES = ["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation", "Won", "Lost"];

/**
 * Big synthetic pipelines for the benches: same columns as the sample, values written the way a
 * CSV export writes them (plain numbers, ISO dates). Rows come one at a time so 1M rows never sit in memory twice.
 */
export function* syntheticRows(rows: number, seed = 1, today = SAMPLE_TODAY): Generator<string[]> {
  const rnd = prng(seed);
  const t = dayOf(today);
  yield [...SAMPLE_HEADER];
  const isoCache = new Map<number, string>();
  const d = (day: number): string => {
    let s = isoCache.get(day);
    if (s === undefined) isoCache.set(day, (s = iso(day)));
    return s;
  };
  for (let i = 0; i < rows; i++) {
    const st = Math.floor(rnd() * 7);
    const created = t - 5 - Math.floor(rnd() * 700);
    const closed = st >= 5;
    const close = closed ? Math.min(t - 1, created + 10 + Math.floor(rnd() * 120)) : t + Math.floor(rnd() * 120) - 20;
    const entered = closed ? close : Math.max(created, t - Math.floor(rnd() * 60));
    yield [
      `S-${i + 1}`,
      `Deal ${i + 1}`,
      `${pick(rnd, COMPANY_A)} ${pick(rnd, COMPANY_B)}`,
      SYN_STAGES[st] as string,
      String(Math.round(1000 + rnd() * 60_000)),
      pick(rnd, OWNERS),
      pick(rnd, SOURCES),
      pick(rnd, PRODUCTS),
      pick(rnd, INDUSTRIES),
      d(created),
      d(close),
      d(entered),
      d(Math.max(entered, t - Math.floor(rnd() * 40))),
      d(created + Math.floor(rnd() * 4)),
      closed ? "" : pick(rnd, NEXT_STEPS),
      pick(rnd, NEED[Math.floor(rnd() * 4)] as string[]),
      pick(rnd, BUDGET[Math.floor(rnd() * 4)] as string[]),
      pick(rnd, AUTHORITY[Math.floor(rnd() * 4)] as string[]),
      st === 6 ? pick(rnd, LOSS_REASONS) : "",
    ];
  }
}

/** The synthetic pipeline as an in-memory grid (header first), as a CSV reader would hand it to core. */
export const syntheticGrid = (rows: number, seed = 1): string[][] => Array.from(syntheticRows(rows, seed));

/** Writes a synthetic pipeline as CSV without holding it in memory. */
export async function writeSyntheticCsv(path: string, rows: number, seed = 1): Promise<void> {
  const out = createWriteStream(path);
  let buf: string[] = [];
  const flush = async (): Promise<void> => {
    if (buf.length === 0) return;
    const chunk = `${buf.join("\n")}\n`;
    buf = [];
    if (!out.write(chunk)) await new Promise<void>((res) => out.once("drain", () => res()));
  };
  // No field needs quoting except free text, so joining is both correct and fast; names never hold commas here.
  for (const row of syntheticRows(rows, seed)) {
    buf.push(row.join(","));
    if (buf.length >= 10_000) await flush();
  }
  await flush();
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}

export const SAMPLE_PATH = join(dirname(fileURLToPath(import.meta.url)), "pipeline.csv");

/** The sample as CSV text (papaparse quotes the "$12,500" cells). */
export const sampleCsv = (): string => `${Papa.unparse(samplePipeline(), { newline: "\n" })}\n`;

// `npm run sample` rewrites samples/pipeline.csv; `tsx samples/generate.ts --rows 1000000 --out big.csv` writes a synthetic one.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = at("--rows");
  if (rows !== undefined) {
    const out = at("--out") ?? `synthetic-${rows}.csv`;
    await writeSyntheticCsv(out, Number(rows), Number(at("--seed") ?? 1));
    process.stdout.write(`wrote ${out}\n`);
  } else {
    writeFileSync(SAMPLE_PATH, sampleCsv());
    process.stdout.write(`wrote ${SAMPLE_PATH}\n`);
  }
}
