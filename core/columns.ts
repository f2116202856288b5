// Finds the header row and maps the team's own headers (any spelling, any CRM export) onto pipesheet's fields.
import { a1 } from "./a1.js";
import { fieldLabel } from "./settings.js";
import { editDistance, normalize } from "./stages.js";
import { FIELDS, type Cell, type Field, type Grid, type OwnedKey, type Problem } from "./types.js";

export const OWNED_HEADERS: Record<OwnedKey, string> = {
  dealId: "Deal ID",
  need: "Need",
  budget: "Budget",
  authority: "Authority",
  score: "Score",
  grade: "Grade",
  reasons: "Score reasons",
  winLikelihood: "Win likelihood",
  stageEntered: "Stage entered",
  daysInStage: "Days in stage",
  stuck: "Stuck",
  nextTask: "Next task",
  stuckLimit: "Stuck after (days)",
};

/** Owned columns pipesheet computes. The others in OWNED_HEADERS are input the team fills, so they are mapped as fields. */
export const OUTPUT_KEYS = ["score", "grade", "reasons", "winLikelihood", "daysInStage", "stuck", "nextTask", "stuckLimit"] as const satisfies readonly OwnedKey[];

/** Fields reported as missing when no column holds them. */
export const IMPORTANT_FIELDS = ["name", "stage", "value", "owner", "createdDate", "closeDate", "need", "budget", "authority"] as const satisfies readonly Field[];

/** How far down the sheet the header row may be (titles and notes above it). */
export const HEADER_SCAN_ROWS = 30;

export interface ColumnMap {
  /** 0-based row of the header on the sheet. */
  headerRow: number;
  /** Header row texts, trimmed, one per column up to the last non-empty header. */
  headers: string[];
  /** Input field -> 0-based column. */
  fields: Partial<Record<Field, number>>;
  /** pipesheet's own output columns found by their header. */
  owned: Partial<Record<OwnedKey, number>>;
  /** Fields matched by a guess (keyword or near spelling), not a known header. */
  guessed: Field[];
  /** Important fields not found. */
  missing: Field[];
  problems: Problem[];
}

// Known headers per field, as people and CRM exports (HubSpot, Pipedrive, Salesforce) write them.
// Compared after normalize(), so case, spacing and punctuation do not matter.
export const HEADER_ALIASES: Record<Field, readonly string[]> = {
  dealId: ["Deal ID", "ID", "Record ID", "Deal - ID", "Opportunity ID", "Deal record ID", "Deal number", "Deal no"],
  name: ["Deal", "Deal name", "Name", "Deal - Title", "Deal title", "Title", "Opportunity", "Opportunity Name", "Opportunity title"],
  company: ["Company", "Company name", "Account", "Account Name", "Deal - Organization", "Organization", "Organisation", "Organization - Name", "Client", "Customer", "Associated company"],
  stage: ["Stage", "Deal Stage", "Deal - Stage", "Pipeline stage", "Sales stage", "Opportunity stage", "Phase"],
  status: ["Status", "Deal - Status", "Deal status", "Opportunity status", "Won/Lost"],
  value: ["Value", "Deal value", "Amount", "Deal - Value", "Deal amount", "Opportunity amount", "Deal size", "Revenue", "Contract value"],
  owner: ["Owner", "Deal owner", "Deal - Owner", "Opportunity Owner", "Rep", "Sales rep", "Salesperson", "Sales person", "Account executive", "AE", "Assigned to"],
  createdDate: ["Created", "Created on", "Created date", "Create Date", "Created at", "Date created", "Creation date", "Deal - Deal created", "Deal created", "Deal - Add time", "Date added", "Open date", "Opened"],
  closeDate: ["Close date", "Closed date", "Closing date", "Expected close", "Expected close date", "Deal - Expected close date", "Close by", "Target close date"],
  stageEntered: ["Stage entered", "Date entered stage", "Entered stage", "Last stage change", "Deal - Last stage change", "Last Stage Change Date", "Stage change date", "In stage since"],
  lastActivity: ["Last activity", "Last activity date", "Deal - Last activity date", "Last contact", "Last contacted", "Last contact date", "Last touch"],
  nextStep: ["Next step", "Next action", "Next activity", "Deal - Next activity subject", "Next activity subject"],
  nextStepDate: ["Next step date", "Next activity date", "Deal - Next activity date", "Next action date", "Follow up", "Follow-up date", "Follow up date"],
  firstContact: ["First contact", "First contact date", "First contacted", "First response", "First response date", "First touch", "Date of first contact"],
  need: ["Need", "Needs", "Pain", "Need level"],
  budget: ["Budget", "Budget status", "Has budget"],
  authority: ["Authority", "Decision maker", "Authority level"],
  lossReason: ["Loss reason", "Lost reason", "Deal - Lost reason", "Reason lost", "Closed lost reason", "Why lost"],
  probability: ["Probability", "Probability (%)", "Deal - Probability", "Deal probability", "Win probability"],
  source: ["Source", "Lead source", "Deal source", "Original source", "Deal - Source", "Channel"],
  product: ["Product", "Products", "Product line", "Deal - Product"],
  industry: ["Industry", "Sector", "Vertical", "Account industry"],
};

// Known CRM headers that hold none of our fields: recognised, so never guessed as something they are not.
const IGNORED = [
  "Pipeline", "Deal - Pipeline", "Deal Type", "Type", "Currency", "Deal - Currency", "Weighted value", "Deal - Weighted value",
  "Weighted amount", "Expected revenue", "Forecast category", "Fiscal period", "Age", "Created by", "Deal - Creator",
  "Last modified by", "Last modified date", "Deal - Update time", "Deal - Contact person", "Contact", "Contact name",
  "Email", "Phone", "Notes", "Description", "Deal description", "Deal - Won time", "Deal - Lost time", "Deal - Visible to",
];

// Keyword guesses, tried in this order so the more specific field wins ("Stage probability" is a probability,
// "Closed lost reason" a loss reason, not a close date, "Customer industry" an industry, not a company). A header stops at its first keyword hit.
const GUESSES: readonly (readonly [Field, readonly string[]])[] = [
  ["dealId", ["dealid", "recordid", "opportunityid", "dealnumber"]],
  ["stageEntered", ["stageentered", "enteredstage", "stagechange", "stagesince", "stagedate"]],
  ["lossReason", ["lossreason", "lostreason", "reasonlost", "reasonforloss", "whylost"]],
  ["probability", ["probability", "likelihood", "chance"]],
  ["nextStepDate", ["nextstepdate", "nextactivitydate", "nextactiondate", "followup", "nextcontact", "nextmeeting"]],
  ["nextStep", ["nextstep", "nextaction", "nextactivity"]],
  ["lastActivity", ["lastactivity", "lastcontact", "lasttouch", "lastcall", "lastemail", "lastmeeting", "lastinteraction"]],
  ["firstContact", ["firstcontact", "firstresponse", "firsttouch", "firstcall", "firstmeeting"]],
  ["createdDate", ["created", "creation", "createdate", "dateadded", "addtime", "opendate"]],
  ["closeDate", ["closedate", "closingdate", "expectedclose", "close", "closing"]],
  ["stage", ["stage", "phase"]],
  ["status", ["status", "outcome", "wonlost"]],
  ["value", ["value", "amount", "revenue", "dealsize", "price", "worth"]],
  ["owner", ["owner", "salesrep", "salesperson", "assigned", "accountexecutive", "accountmanager", "responsible"]],
  ["need", ["need", "pain"]],
  ["budget", ["budget"]],
  ["authority", ["authority", "decisionmaker"]],
  ["source", ["source", "channel", "campaign", "referral"]],
  ["product", ["product", "sku"]],
  ["industry", ["industry", "sector", "vertical"]],
  ["company", ["company", "account", "organization", "organisation", "client", "customer"]],
  ["name", ["dealname", "dealtitle", "opportunityname", "opportunity", "projectname"]],
];

/** What a field holds, in words, for guess messages. */
const FIELD_WORDS: Record<Field, string> = {
  dealId: "the deal ID",
  name: "the deal name",
  company: "the company",
  stage: "the stage",
  status: "the deal status (open, won or lost)",
  value: "the deal value",
  owner: "the deal owner",
  createdDate: "the created date",
  closeDate: "the expected close date",
  stageEntered: "the date the deal entered its stage",
  lastActivity: "the last activity date",
  nextStep: "the next step",
  nextStepDate: "the next step date",
  firstContact: "the first contact date",
  need: "the need",
  budget: "the budget",
  authority: "the authority",
  lossReason: "the loss reason",
  probability: "the win probability",
  source: "the lead source",
  product: "the product",
  industry: "the industry",
};

const ALIAS_FIELD = new Map<string, Field>();
for (const f of FIELDS) for (const alias of HEADER_ALIASES[f]) if (!ALIAS_FIELD.has(normalize(alias))) ALIAS_FIELD.set(normalize(alias), f);
const OUTPUT_BY_KEY = new Map<string, OwnedKey>(OUTPUT_KEYS.map((k) => [normalize(OWNED_HEADERS[k]), k]));
const IGNORED_KEYS = new Set(IGNORED.map(normalize));
const FUZZY_MIN_LENGTH = 4;

/** The field a header names exactly (after normalization), or undefined. */
export const knownField = (header: string): Field | undefined => ALIAS_FIELD.get(normalize(header));

const cellText = (c: Cell): string =>
  c === null || c === undefined ? "" : typeof c === "string" ? c.trim() : c instanceof Date ? "" : String(c).trim();

/** The problem a host reports when mapColumns finds no header row. */
export function noHeaderProblem(sheet: string): Problem {
  return {
    sheet,
    cell: "A1",
    code: "NO_HEADER",
    severity: "error",
    message: `No header row found in the first ${HEADER_SCAN_ROWS} rows of "${sheet}": put a header row with at least Deal name and Stage.`,
  };
}

/** Picks the row among the first HEADER_SCAN_ROWS that names the most fields, with stage or name among them. */
function findHeaderRow(grid: Grid, overrideKeys: Map<string, Field>): number {
  let best = -1;
  let bestCount = 1;
  const rows = Math.min(HEADER_SCAN_ROWS, grid.length);
  for (let r = 0; r < rows; r++) {
    const row = grid[r];
    if (!row) continue;
    const found = new Set<Field>();
    for (const cell of row) {
      if (typeof cell !== "string") continue;
      const key = normalize(cell);
      if (key === "") continue;
      const f = overrideKeys.get(key) ?? ALIAS_FIELD.get(key);
      if (f) found.add(f);
    }
    if (found.size > bestCount && (found.has("stage") || found.has("name"))) {
      best = r;
      bestCount = found.size;
    }
  }
  return best;
}

export function mapColumns(grid: Grid, sheet: string, overrides: Partial<Record<Field, string>>): ColumnMap | null {
  const overrideKeys = new Map<string, Field>();
  for (const f of FIELDS) {
    const text = overrides[f];
    if (text !== undefined && normalize(text) !== "" && !overrideKeys.has(normalize(text))) overrideKeys.set(normalize(text), f);
  }
  const headerRow = findHeaderRow(grid, overrideKeys);
  if (headerRow < 0) return null;

  const row = grid[headerRow] ?? [];
  let width = row.length;
  while (width > 0 && cellText(row[width - 1]) === "") width--;
  const headers: string[] = [];
  for (let c = 0; c < width; c++) headers.push(cellText(row[c]));
  const keys = headers.map(normalize);

  const fields: Partial<Record<Field, number>> = {};
  const owned: Partial<Record<OwnedKey, number>> = {};
  const guessed: Field[] = [];
  const problems: Problem[] = [];
  /** Columns that already have a meaning (a field, an output, a known header, a duplicate): never guessed. */
  const taken = new Set<number>();
  const at = (c: number): string => a1(headerRow, c);
  const rowStart = a1(headerRow, 0);
  const add = (cell: string, code: Problem["code"], severity: Problem["severity"], message: string): void => {
    problems.push({ sheet, cell, code, severity, message });
  };
  const duplicate = (what: string, first: number, c: number): void => {
    add(at(c), "DUPLICATE_COLUMN", "warning", `Columns ${at(first)} and ${at(c)} both look like ${what}; using ${at(first)} ("${headers[first]}"). Rename one, or name the right one in Pipeline Settings › Columns.`);
  };

  // 1. pipesheet's own output columns: never input, whatever an override says.
  for (let c = 0; c < width; c++) {
    const k = OUTPUT_BY_KEY.get(keys[c] as string);
    if (k === undefined) continue;
    taken.add(c);
    const first = owned[k];
    if (first === undefined) owned[k] = c;
    else duplicate(`pipesheet's "${OWNED_HEADERS[k]}" column`, first, c);
  }

  // 2. Overrides win over every other match.
  const overridden = new Set<Field>();
  for (const f of FIELDS) {
    const text = overrides[f];
    if (text === undefined || text.trim() === "") continue;
    const c = keys.indexOf(normalize(text));
    if (c < 0) {
      add(rowStart, "MISSING_COLUMN", "warning", `Pipeline Settings › Columns says ${fieldLabel(f)} is in the column "${text}", but row ${headerRow + 1} has no such header; fix the header or the setting.`);
      continue;
    }
    if (OUTPUT_BY_KEY.has(keys[c] as string)) {
      add(at(c), "MISSING_COLUMN", "warning", `Pipeline Settings › Columns says ${fieldLabel(f)} is in "${text}" (${at(c)}), but pipesheet writes that column; name another column.`);
      continue;
    }
    const other = FIELDS.find((g) => fields[g] === c);
    if (other !== undefined) {
      add(at(c), "DUPLICATE_COLUMN", "warning", `Pipeline Settings › Columns names "${text}" (${at(c)}) for both ${fieldLabel(other)} and ${fieldLabel(f)}; a column can hold one field only, so it is used for ${fieldLabel(other)}.`);
      continue;
    }
    fields[f] = c;
    overridden.add(f);
    taken.add(c);
  }

  // 3. Known headers. A second column for the same field is reported, unless an override already chose.
  for (let c = 0; c < width; c++) {
    if (taken.has(c)) continue;
    const key = keys[c] as string;
    if (key === "") continue;
    const f = ALIAS_FIELD.get(key);
    if (f === undefined) {
      if (IGNORED_KEYS.has(key)) taken.add(c);
      continue;
    }
    taken.add(c);
    const first = fields[f];
    if (first === undefined) fields[f] = c;
    else if (!overridden.has(f)) duplicate(FIELD_WORDS[f], first, c);
  }

  const guess = (f: Field, c: number): void => {
    fields[f] = c;
    taken.add(c);
    guessed.push(f);
    add(at(c), "GUESSED_COLUMN", "info", `Guessed that "${headers[c]}" (${at(c)}) is ${FIELD_WORDS[f]}; correct it in Pipeline Settings › Columns if not.`);
  };

  // 4. Many sheets keep the stage in a column called "Status"; with no stage column, read it as the stage.
  const statusCol = fields.status;
  if (fields.stage === undefined && statusCol !== undefined && !overridden.has("status")) {
    delete fields.status;
    guess("stage", statusCol);
  }

  // 5. Keyword guesses ("Estimated deal value (USD)" holds "value").
  for (let c = 0; c < width; c++) {
    if (taken.has(c)) continue;
    const key = keys[c] as string;
    if (key === "") continue;
    const hit = GUESSES.find(([, words]) => words.some((w) => key.includes(w)));
    if (hit && fields[hit[0]] === undefined) guess(hit[0], c);
    else if (hit) taken.add(c);
  }

  // 6. Near spellings of a known header ("Ammount", "Stgae"), when exactly one field is that close.
  for (let c = 0; c < width; c++) {
    if (taken.has(c)) continue;
    const key = keys[c] as string;
    if (key.length < FUZZY_MIN_LENGTH) continue;
    const max = key.length <= 6 ? 1 : 2;
    let bestDist = max + 1;
    let bestField: Field | null = null;
    let tie = false;
    for (const [alias, f] of ALIAS_FIELD) {
      if (alias.length < FUZZY_MIN_LENGTH) continue;
      const d = editDistance(key, alias, max);
      if (d < bestDist) {
        bestDist = d;
        bestField = f;
        tie = false;
      } else if (d === bestDist && bestField !== f) tie = true;
    }
    if (bestField !== null && !tie && fields[bestField] === undefined) guess(bestField, c);
  }

  const missing: Field[] = [];
  for (const f of IMPORTANT_FIELDS) {
    if (fields[f] !== undefined) continue;
    missing.push(f);
    const added = f === "need" || f === "budget" || f === "authority";
    add(
      rowStart,
      "MISSING_COLUMN",
      "warning",
      added
        ? `No ${fieldLabel(f)} column in row ${headerRow + 1}: Set up pipeline adds one for you to fill, or name yours in Pipeline Settings › Columns.`
        : `No ${fieldLabel(f)} column in row ${headerRow + 1}: add one, or name the header that holds it in Pipeline Settings › Columns.`,
    );
  }

  return { headerRow, headers, fields, owned, guessed, missing, problems };
}
