// Independent expected figures for the real exports in test/fixtures/real (see README.md there).
//
// Deliberately simple and deliberately NOT pipesheet's code: nothing here imports from core/, cli/ or sync/.
// Each fixture gets its own tiny reader written for the format that file is KNOWN to have (we looked at it;
// pipesheet has to infer it). The readers turn rows into plain deals; figures() then does the arithmetic.
import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import Papa from "papaparse";

export type Outcome = "won" | "lost" | "open";

export interface Deal {
  outcome: Outcome;
  /** The stage exactly as the file writes it. */
  stage: string;
  /** The deal value in the file's currency; null when the cell is empty. */
  value: number | null;
  owner: string | null;
  /** Days since 1970-01-01 (UTC calendar days), or null. */
  created: number | null;
  /** Actual close date for closed deals (days since 1970-01-01), or null. */
  closed: number | null;
}

export interface StageFigure {
  count: number;
  value: number;
}

export interface Figures {
  deals: number;
  won: number;
  lost: number;
  open: number;
  /** won ÷ (won + lost), by count. */
  winRateByCount: number | null;
  /** won value ÷ (won value + lost value). */
  winRateByValue: number | null;
  wonValue: number;
  lostValue: number;
  /** Mean value of the won deals that have a value. */
  avgWonValue: number | null;
  openCount: number;
  openValue: number;
  /** Open deals per stage, keyed by the file's own stage name. */
  openByStage: Record<string, StageFigure>;
  /**
   * Mean days created → close date. "won": won deals only; "closed": won + lost. Deals without both dates, or
   * closing before they were created (a data error, not a negative cycle), are left out. null when none is left.
   */
  cycle: { won: { days: number | null; used: number }; closed: { days: number | null; used: number } } | null;
  /** The owner with the largest won value; null when the file has no owner column. */
  topOwner: { owner: string; wonValue: number; won: number } | null;
}

export interface Fixture {
  /** File name under test/fixtures/real. */
  file: string;
  /** What makes it hard, in one line (also in README.md). */
  shape: string;
  /** A fixed --today after every date in the file. */
  today: string;
  /** The file has a created / engage date column to measure the cycle from. */
  hasCreated: boolean;
  /** The file has an owner column. */
  hasOwner: boolean;
  /** Reader for a text (CSV) file. */
  read?: (text: string) => Deal[];
  /** Reader for a workbook: the first sheet's rows as cell values (row 1 first). */
  readBook?: (rows: Cell[][]) => Deal[];
}

/** A workbook cell as exceljs gives it for the plain cells these files have. */
export type Cell = string | number | boolean | Date | null;

// ---------------------------------------------------------------------------------------------------------
// tiny helpers, one per format actually met in these files

const dayNumber = (y: number, m: number, d: number): number => {
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) throw new Error(`not a date: ${y}-${m}-${d}`);
  return t / 86_400_000;
};

/** "20-10-2016" → 2016-10-20 (day-month-four-digit-year, zero padded). */
const ddmmyyyy = (s: string): number | null => {
  if (s.trim() === "") return null;
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(s.trim());
  if (!m) throw new Error(`expected DD-MM-YYYY, got ${JSON.stringify(s)}`);
  return dayNumber(Number(m[3]), Number(m[2]), Number(m[1]));
};

/** "02/23/26" or "02/23/26 08:55 PM" → 2026-02-23 (month/day/two-digit-year, all 20xx). */
const mmddyy = (s: string): number | null => {
  if (s.trim() === "") return null;
  const m = /^(\d{2})\/(\d{2})\/(\d{2})(?: \d{2}:\d{2} [AP]M)?$/.exec(s.trim());
  if (!m) throw new Error(`expected MM/DD/YY, got ${JSON.stringify(s)}`);
  return dayNumber(2000 + Number(m[3]), Number(m[1]), Number(m[2]));
};

/** "5/20/2024 7:42" or "5/20/2024" → 2024-05-20 (month/day/year, with or without a time of day, which is ignored). */
const mdyyyyMaybeTime = (s: string): number | null => {
  if (s.trim() === "") return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: \d{1,2}:\d{2})?$/.exec(s.trim());
  if (!m) throw new Error(`expected M/D/YYYY [H:MM], got ${JSON.stringify(s)}`);
  return dayNumber(Number(m[3]), Number(m[1]), Number(m[2]));
};

/** "2024-11-10" or "2024-01-22T16:14:25.000+0000" → the calendar day written (the time of day is ignored). */
const isoDay = (s: string): number | null => {
  if (s.trim() === "") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+[+-]\d{4})?$/.exec(s.trim());
  if (!m) throw new Error(`expected YYYY-MM-DD, got ${JSON.stringify(s)}`);
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
};

/** "2026-11-01 09:00:00" (Odoo's datetime export) → 2026-11-01 (the time of day is ignored). */
const isoDateTime = (s: string): number | null => {
  if (s.trim() === "") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) \d{2}:\d{2}:\d{2}$/.exec(s.trim());
  if (!m) throw new Error(`expected YYYY-MM-DD HH:MM:SS, got ${JSON.stringify(s)}`);
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
};

/** A workbook date cell (exceljs reads it as a UTC instant) → its calendar day; null for an empty cell. */
const cellDay = (v: Cell): number | null => {
  if (v === null) return null;
  if (!(v instanceof Date)) throw new Error(`expected a date cell, got ${JSON.stringify(v)}`);
  return dayNumber(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate());
};

/** Plain "1234.5" numbers, as these exports write them; "" → null. */
const plainNumber = (s: string): number | null => {
  const t = s.trim();
  if (t === "") return null;
  if (!/^-?\d+(\.\d+)?$/.test(t)) throw new Error(`expected a plain number, got ${JSON.stringify(s)}`);
  return Number(t);
};

const rows = (text: string): Record<string, string>[] => {
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`CSV errors: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  return parsed.data;
};

const col = (r: Record<string, string>, name: string): string => {
  const v = r[name];
  if (v === undefined) throw new Error(`no column ${name}`);
  return v;
};

/** Salesforce API exports: IsClosed / IsWon are the outcome ("1"/"" or TRUE/FALSE); StageName must agree. */
const salesforceOutcome = (r: Record<string, string>): Outcome => {
  const yes = (v: string): boolean => v === "1" || v.toUpperCase() === "TRUE";
  const closed = yes(col(r, "IsClosed"));
  const won = yes(col(r, "IsWon"));
  const outcome: Outcome = closed ? (won ? "won" : "lost") : "open";
  const stage = col(r, "StageName");
  const stageSays: Outcome = stage === "Closed Won" ? "won" : stage === "Closed Lost" ? "lost" : "open";
  if (stageSays !== outcome) throw new Error(`IsClosed/IsWon say ${outcome} but StageName is ${stage}`);
  return outcome;
};

/** A Salesforce Opportunity export: the same API columns in each; the files differ in their date format and owner. */
const salesforceRows =
  (day: (text: string) => number | null, owner: boolean) =>
  (text: string): Deal[] =>
    rows(text).map((r) => {
      const outcome = salesforceOutcome(r);
      return {
        outcome,
        stage: col(r, "StageName"),
        value: plainNumber(col(r, "Amount")),
        owner: owner ? col(r, "OwnerId") : null,
        created: day(col(r, "CreatedDate")),
        closed: outcome === "open" ? null : day(col(r, "CloseDate")),
      };
    });

// ---------------------------------------------------------------------------------------------------------
// the fixtures

export const FIXTURES: Fixture[] = [
  {
    file: "maven-sales-pipeline-ddmmyyyy.csv",
    shape: "snake_case headers, no deal-name column, DD-MM-YYYY dates (39 % also readable month-first), CRLF line ends, stages Prospecting/Engaging/Won/Lost, open deals without a close date or value, lost deals with value 0, 1,425 deals without an account",
    today: "2026-11-30",
    hasCreated: true,
    hasOwner: true,
    read: (text) =>
      rows(text).map((r) => {
        const stage = col(r, "deal_stage");
        const outcome: Outcome = stage === "Won" ? "won" : stage === "Lost" ? "lost" : "open";
        if (outcome === "open" && stage !== "Engaging" && stage !== "Prospecting") throw new Error(`unexpected stage ${stage}`);
        return {
          outcome,
          stage,
          value: plainNumber(col(r, "close_value")),
          owner: col(r, "sales_agent"),
          created: ddmmyyyy(col(r, "engage_date")),
          closed: outcome === "open" ? null : ddmmyyyy(col(r, "close_date")),
        };
      }),
  },
  {
    file: "sfdc-data-cloud-opportunity.csv",
    shape: "Salesforce API names (StageName, Amount, CloseDate, IsClosed/IsWon as 1/blank, ForecastCategoryName, OwnerId), ISO dates and timestamps, custom stages (Discovery, Proposal/Quote), CreatedDate later than most CloseDates",
    today: "2026-11-30",
    hasCreated: true,
    hasOwner: true,
    read: salesforceRows(isoDay, true),
  },
  {
    file: "sf-powerbi-opportunity-mmddyy.csv",
    shape: "Salesforce API names with two money columns (Amount, ExpectedRevenue), MM/DD/YY dates, IsClosed/IsWon as TRUE/FALSE, extra *_Simulated date columns, no owner, CreatedDate after CloseDate on 32 of 36 deals, 5 deals without an Amount",
    today: "2026-11-30",
    hasCreated: true,
    hasOwner: false,
    read: salesforceRows(mmddyy, false),
  },
  {
    file: "sf-migration-pack-opportunity.csv",
    shape: "Salesforce API names with Amount and ExpectedRevenue (float noise such as 1475.3000000000002), IsClosed/IsWon as 1/blank, ISO dates, quoted multi-sentence descriptions, custom fields (__c) incl. an empty status-like one",
    today: "2026-11-30",
    hasCreated: true,
    hasOwner: true,
    read: salesforceRows(isoDay, true),
  },
  {
    file: "dynamics365-opportunity.csv",
    shape: "Dynamics 365 labels (Topic, Owner, Status Won/Lost/Open, Est. revenue, Actual Revenue, Est. close date, Actual Close Date, Sales Stage Qualify/Develop/Propose/Close), UTF-8 BOM, M/D/YYYY dates with and without H:MM in the same column, no Actual Close Date on 45 lost deals, three money-ish columns (Est. revenue, Actual Revenue = 0 on lost deals, and a text column named Revenue), open deals in a stage called Close",
    today: "2026-11-30",
    hasCreated: true,
    hasOwner: true,
    read: (text) =>
      rows(text).map((r) => {
        const status = col(r, "Status");
        const outcome: Outcome = status === "Won" ? "won" : status === "Lost" ? "lost" : "open";
        if (outcome === "open" && status !== "Open") throw new Error(`unexpected status ${status}`);
        return {
          outcome,
          // The pipeline stage of an open deal is Sales Stage; closed deals all sit in "Close" and count by Status.
          stage: col(r, "Sales Stage"),
          // The deal's value is Est. revenue (Actual Revenue equals it on won deals and is 0 on lost ones).
          value: plainNumber(col(r, "Est. revenue")),
          owner: col(r, "Owner"),
          created: mdyyyyMaybeTime(col(r, "Created On")),
          closed: outcome === "open" ? null : mdyyyyMaybeTime(col(r, "Actual Close Date")),
        };
      }),
  },
  {
    file: "odoo-crm-lead-export.csv",
    shape: "Odoo crm.lead export labels (Opportunity, Customer, Company Name, Salesperson, Stage, Expected Revenue, Expected Closing, Closed Date, Active), every field quoted, values as 40000.0, datetimes with seconds; won = stage Won, lost = Active empty while the stage stays an open one (New); Customer empty on 6 deals (3 named only in Company Name)",
    today: "2027-01-31",
    hasCreated: true,
    hasOwner: true,
    read: (text) =>
      rows(text).map((r) => {
        const stage = col(r, "Stage");
        const active = col(r, "Active");
        if (active !== "True" && active !== "") throw new Error(`unexpected Active ${active}`);
        // Odoo marks a lost opportunity by archiving it (Active false, exported empty); its stage is left as it was.
        const outcome: Outcome = active === "" ? "lost" : stage === "Won" ? "won" : "open";
        if (outcome === "open" && !["New", "Qualified", "Proposition"].includes(stage)) throw new Error(`unexpected stage ${stage}`);
        return {
          outcome,
          stage,
          value: plainNumber(col(r, "Expected Revenue")),
          owner: col(r, "Salesperson"),
          created: isoDateTime(col(r, "Created on")),
          closed: outcome === "open" ? null : isoDateTime(col(r, "Closed Date")),
        };
      }),
  },
  {
    file: "odoo-crm-lead-grouped-by-stage.xlsx",
    shape: "Odoo's grouped XLSX export (Pipeline list grouped by Stage): a bold group-title row before each stage's deals (\"New (3)\" in the first column, Created on, with the stage's summed Expected Revenue under its column), real date and datetime cells, values as numbers with #,##0.00; won = stage Won; active deals only",
    today: "2027-01-31",
    hasCreated: true,
    hasOwner: true,
    readBook: (grid) => {
      const [header, ...body] = grid;
      if (!header) throw new Error("no header row");
      const at = (name: string): number => {
        const i = header.indexOf(name);
        if (i < 0) throw new Error(`no column ${name}`);
        return i;
      };
      const [cName, cStage, cValue, cOwner, cCreated, cClosed] = ["Opportunity", "Stage", "Expected Revenue", "Salesperson", "Created on", "Closed Date"].map(at) as [number, number, number, number, number, number];
      const deals: Deal[] = [];
      let group: { stage: string; count: number; sum: number; seen: number; seenSum: number } | null = null;
      const closeGroup = (): void => {
        if (group && (group.seen !== group.count || Math.abs(group.seenSum - group.sum) > 0.005)) throw new Error(`group ${group.stage}: title says ${group.count} deals, ${group.sum}; found ${group.seen}, ${group.seenSum}`);
      };
      for (const row of body) {
        const first = row[0] ?? null;
        const title = typeof first === "string" ? /^(\S.*) \((\d+)\)$/.exec(first) : null;
        if (title && (row[cName] ?? null) === null) {
          // A group title row: "Stage (count)" and the group's sum of Expected Revenue. Not a deal.
          closeGroup();
          const sum = row[cValue] ?? null;
          if (typeof sum !== "number") throw new Error(`group row without a sum: ${JSON.stringify(row)}`);
          group = { stage: title[1] as string, count: Number(title[2]), sum, seen: 0, seenSum: 0 };
          continue;
        }
        const stage = row[cStage] ?? null;
        if (typeof stage !== "string" || !group || stage !== group.stage) throw new Error(`deal outside its stage group: ${JSON.stringify(row)}`);
        const value = row[cValue] ?? null;
        if (value !== null && typeof value !== "number") throw new Error(`expected a number, got ${JSON.stringify(value)}`);
        const owner = row[cOwner] ?? null;
        const outcome: Outcome = stage === "Won" ? "won" : "open";
        if (outcome === "open" && !["New", "Qualified", "Proposition"].includes(stage)) throw new Error(`unexpected stage ${stage}`);
        group.seen += 1;
        group.seenSum += value ?? 0;
        deals.push({
          outcome,
          stage,
          value,
          owner: typeof owner === "string" ? owner : null,
          created: cellDay(row[cCreated] ?? null),
          closed: outcome === "open" ? null : cellDay(row[cClosed] ?? null),
        });
      }
      closeGroup();
      return deals;
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// the arithmetic

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export function figures(deals: Deal[], hasCreated: boolean, hasOwner: boolean): Figures {
  const won = deals.filter((d) => d.outcome === "won");
  const lost = deals.filter((d) => d.outcome === "lost");
  const open = deals.filter((d) => d.outcome === "open");
  const val = (d: Deal): number => d.value ?? 0;
  const wonValue = sum(won.map(val));
  const lostValue = sum(lost.map(val));
  const openByStage: Record<string, StageFigure> = {};
  for (const d of open) {
    const s = (openByStage[d.stage] ??= { count: 0, value: 0 });
    s.count += 1;
    s.value += val(d);
  }
  const cycleOf = (ds: Deal[]): { days: number | null; used: number } => {
    const spans = ds.flatMap((d) => (d.created !== null && d.closed !== null && d.closed >= d.created ? [d.closed - d.created] : []));
    return { days: mean(spans), used: spans.length };
  };
  let topOwner: Figures["topOwner"] = null;
  if (hasOwner) {
    const byOwner = new Map<string, { wonValue: number; won: number }>();
    for (const d of won) {
      const o = byOwner.get(d.owner ?? "") ?? { wonValue: 0, won: 0 };
      o.wonValue += val(d);
      o.won += 1;
      byOwner.set(d.owner ?? "", o);
    }
    for (const [owner, o] of byOwner) if (topOwner === null || o.wonValue > topOwner.wonValue) topOwner = { owner, ...o };
  }
  return {
    deals: deals.length,
    won: won.length,
    lost: lost.length,
    open: open.length,
    winRateByCount: won.length + lost.length === 0 ? null : won.length / (won.length + lost.length),
    winRateByValue: wonValue + lostValue === 0 ? null : wonValue / (wonValue + lostValue),
    wonValue,
    lostValue,
    avgWonValue: mean(won.flatMap((d) => (d.value === null ? [] : [d.value]))),
    openCount: open.length,
    openValue: sum(open.map(val)),
    openByStage,
    cycle: hasCreated ? { won: cycleOf(won), closed: cycleOf([...won, ...lost]) } : null,
    topOwner,
  };
}

export async function expectedFor(fx: Fixture, dir: string): Promise<Figures> {
  const path = `${dir}/${fx.file}`;
  if (fx.readBook) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error(`${fx.file}: no sheet`);
    const grid: Cell[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const row: Cell[] = [];
      for (let c = 1; c <= ws.columnCount; c++) {
        const v: unknown = ws.getCell(r, c).value;
        if (v === null || v === undefined) row.push(null);
        else if (v instanceof Date || typeof v === "string" || typeof v === "number" || typeof v === "boolean") row.push(v);
        else throw new Error(`${fx.file}: unexpected cell ${JSON.stringify(v)} at row ${r}, column ${c}`);
      }
      grid.push(row);
    }
    return figures(fx.readBook(grid), fx.hasCreated, fx.hasOwner);
  }
  if (!fx.read) throw new Error(`${fx.file}: no reader`);
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  return figures(fx.read(text), fx.hasCreated, fx.hasOwner);
}
