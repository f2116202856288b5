// The shapes that cross the core/host boundary: cells in, a WorkbookPlan out.

/** One cell as hosts hand it over: Office.js gives numbers/strings/booleans, Apps Script also Dates. */
export type Cell = string | number | boolean | Date | null | undefined;
export type Grid = Cell[][];

/** A problem found in the sheet, collected instead of thrown. `cell` is an A1 address on `sheet`. */
export interface Problem {
  sheet: string;
  cell: string;
  code: ProblemCode;
  message: string;
  severity: "error" | "warning" | "info";
}

export type ProblemCode =
  | "NO_HEADER"
  | "MISSING_COLUMN"
  | "GUESSED_COLUMN"
  | "DUPLICATE_COLUMN"
  | "OWNED_COLUMN_TAKEN"
  | "BAD_NUMBER"
  | "BAD_DATE"
  | "AMBIGUOUS_DATE"
  | "UNKNOWN_STAGE"
  | "CUSTOM_STAGE"
  | "MISSING_STAGE"
  | "REQUIRED_FIELD"
  | "STAGE_BACKWARDS"
  | "UNKNOWN_ANSWER"
  | "DUPLICATE_ID"
  | "BAD_SETTING"
  | "BAD_LOG_ROW"
  | "CLOSE_BEFORE_CREATE"
  | "BAD_ACTIVITY"
  | "UNKNOWN_DEAL";

/** Canonical deal fields pipesheet understands; the team's headers map onto these. */
export const FIELDS = [
  "dealId",
  "name",
  "company",
  "stage",
  "status",
  "value",
  "owner",
  "createdDate",
  "closeDate",
  "closedDate",
  "lostDate",
  "stageEntered",
  "lastActivity",
  "nextStep",
  "nextStepDate",
  "firstContact",
  "need",
  "budget",
  "authority",
  "lossReason",
  "probability",
  "source",
  "product",
  "industry",
] as const;
export type Field = (typeof FIELDS)[number];

/** Fields that are free-text categories the win-likelihood model may learn from. */
export const CATEGORY_FIELDS = ["owner", "source", "product", "industry"] as const satisfies readonly Field[];

/** Dates inside core are whole days since 1970-01-01 (UTC). Excel serial = day + 25569. */
export type Day = number;

/** A deal as parsed (core/table.ts gives each as a window on the table's columns). Set after parsing: `id` (assignIds) and `lastActivity` (from the activity log). */
export interface Deal {
  /** 0-based index among the data rows. */
  readonly index: number;
  /** 1-based row number on the sheet, for A1 addresses. */
  readonly sheetRow: number;
  id: string;
  readonly name: string;
  readonly stageRaw: string;
  /** Index into Settings.stages, or -1 when blank or unknown. */
  readonly stage: number;
  readonly value: number | null;
  readonly owner: string;
  readonly created: Day | null;
  readonly closeDate: Day | null;
  /** When a closed deal was actually won or lost (Won time, Lost time, Actual close date), or null. */
  readonly closedOn: Day | null;
  readonly stageEntered: Day | null;
  lastActivity: Day | null;
  readonly nextStep: string;
  readonly nextStepDate: Day | null;
  readonly firstContact: Day | null;
  readonly need: string;
  readonly budget: string;
  readonly authority: string;
  readonly lossReason: string;
  /** Values of CATEGORY_FIELDS present on the sheet (lower-cased, trimmed). */
  readonly categories: Partial<Record<(typeof CATEGORY_FIELDS)[number], string>>;
}

export type Command = "setup" | "score" | "review";

/** What a host reads, in one round trip, and hands to core. */
export interface WorkbookInput {
  /** Name of the deals sheet. */
  sheetName: string;
  /** Values of the deals sheet's used range, starting at A1 (row 0 = sheet row 1). */
  deals: Grid;
  /** Values of the "Pipeline Settings" tab, or null when it does not exist. */
  settings: Grid | null;
  /** Values of the "Pipeline Log" tab, or null when it does not exist. */
  log: Grid | null;
  /** Names of every tab in the workbook (so core can tell which of its tabs exist). */
  sheetNames: string[];
  /** The activity log tab (see pickActivitiesTab), when the workbook has one. */
  activities?: { sheet: string; values: Grid } | null;
  /** The field delimiter when the deals come from a CSV file: ";" hints at the decimal comma where amounts prove neither. */
  delimiter?: string;
}

export interface RunOptions {
  command: Command;
  /** The clock: today's date as YYYY-MM-DD in the user's time zone. */
  today: string;
  /** Optional header corrections from the task pane / CLI: field -> header text. */
  columnOverrides?: Partial<Record<Field, string>>;
  /** "Since last review" starts on this day (YYYY-MM-DD) instead of the previous review run (CLI --since). */
  since?: string;
  /**
   * The host's pipesheet version. Written on the Pipeline Settings tab, and a tab written by another version
   * (or by 0.1, which wrote none) is rewritten in this version's layout: that is how a layout change migrates.
   */
  version?: string;
  /**
   * The host shows the figures and writes nothing (`pipesheet review` without --out): the plan then holds no
   * writes to the deals sheet or the stage log (no columns, rules, validations, log rows or log tab); its
   * summary, problems, metrics and other tabs are those of a full run. At a million deals the cells a host would
   * write are a third of the run's memory.
   */
  figuresOnly?: boolean;
}

/** How a host writes one owned column of the deals sheet. */
export interface ColumnWrite {
  /** Canonical name of what the column holds. */
  key: OwnedKey | LoggedKey;
  header: string;
  /** 0-based column index on the sheet. */
  col: number;
  /** True when the column does not exist yet: write `header` into the header row too. */
  created: boolean;
  /**
   * "all": overwrite every data cell with `values`;
   * "fill": write only cells where `values[i]` is not null (others are the user's and stay);
   * "header": only the header cell is written (a new input column for the user to fill).
   */
  mode: "all" | "fill" | "header";
  /** One entry per data row (same length as the data rows); null = leave the cell as it is (mode "fill"). */
  values: Cell[];
  /** Number format for the cells, Excel/Sheets syntax ("yyyy-mm-dd", "0", "0%"). */
  numberFormat?: string;
  /** What the values are ("date": Excel serial days), so hosts never tell a date by its number format. */
  kind?: "text" | "number" | "percent" | "date" | "formula" | "any";
  /** True when the string values are formulas ("=…") to be written as formulas, not as text. */
  formulas?: boolean;
}

export type OwnedKey =
  | "dealId"
  | "need"
  | "budget"
  | "authority"
  | "score"
  | "grade"
  | "reasons"
  | "winLikelihood"
  | "stageEntered"
  | "daysInStage"
  | "stuck"
  | "nextTask"
  | "stuckLimit"
  | "pushCount"
  | "pushLimit";

/** Cells a logged activity writes (see planLogActivity): the deal's follow-up columns, and a row of the activity log. */
export type LoggedKey = "lastActivity" | "nextStep" | "nextStepDate" | "activity";

/** A conditional-format rule pipesheet owns; hosts recognise theirs by `id` (kept in the rule's note or the settings tab). */
export interface ConditionalRule {
  id: string;
  /** A1 range on the deals sheet, e.g. "A2:P1400". */
  range: string;
  /** Custom formula relative to the range's top-left cell, one per host dialect. */
  formula: { excel: string; sheets: string };
  fill: string;
  fontColor: string;
  description: string;
}

export interface ValidationRule {
  id: string;
  /** A1 range on the deals sheet. */
  range: string;
  list: string[];
  /** false: warn but allow other values (teams type their own vocabulary). */
  strict: boolean;
}

export interface ChartSpec {
  /** "funnel": stages top down (hosts without one draw bars, first stage on top); "column": values over time. */
  type: "funnel" | "bar" | "column";
  title: string;
  /** A1 ranges on the tab holding the chart. */
  categories: string;
  values: string;
  /** Where to place the chart: top-left cell on the tab. */
  anchor: string;
  /** Size in points; hosts that ignore it draw 420 × 260. */
  width?: number;
  height?: number;
  /** Name hosts give the chart so they find and replace their own (RULE_PREFIX + a word). */
  id?: string;
}

/** A block of the tab a host makes a real table (Excel) or filter range (Sheets): header row plus data rows. */
export interface TableSpec {
  /** Name for the table, unique in the workbook and valid as an Excel table name. */
  name: string;
  /** A1 range on the tab, header row included. */
  range: string;
}

/** A cell that links to a cell of another tab (a stuck deal's name to its row on the deals sheet). */
export interface LinkSpec {
  /** A1 cell on the tab holding the link; its value is the link's text. */
  cell: string;
  /** Tab and A1 cell the link goes to. */
  sheet: string;
  target: string;
}

/** Formatting hints for a tab, host-neutral. */
export interface TabFormat {
  range: string;
  bold?: boolean;
  italic?: boolean;
  fontSize?: number;
  numberFormat?: string;
  fill?: string;
}

/** A tab pipesheet owns completely and rewrites whole. */
export interface TabWrite {
  name: string;
  values: Grid;
  hidden: boolean;
  formats: TabFormat[];
  /** The tab's first chart (the review's funnel). */
  chart?: ChartSpec;
  /** Further charts; hosts that ignore them still write a correct grid. */
  charts?: ChartSpec[];
  /** Blocks to make sortable, filterable tables. */
  tables?: TableSpec[];
  /** Cells that link to another tab. */
  links?: LinkSpec[];
  /** Column widths in characters, optional. */
  widths?: number[];
}

/** One field's column and the evidence for it, as shown to the team. */
export interface ColumnMapping {
  field: Field;
  /** The field as the settings tab names it ("Expected close date"). */
  label: string;
  header: string;
  /** Column letter on the deals sheet. */
  column: string;
  guessed: boolean;
  evidence: string;
  /** "Value ← close_value (H): header word "value", 98 % amounts". */
  text: string;
}

export interface Summary {
  command: Command;
  today: string;
  sheet: string;
  deals: number;
  open: number;
  won: number;
  lost: number;
  scored: number;
  grades: Record<"A" | "B" | "C" | "D", number>;
  qualified: number;
  stuck: number;
  transitions: number;
  ambiguousDates: number;
  idsAdded: number;
  customStages: string[];
  /** Which basis days-in-stage used, with counts. */
  stageBasis: Record<"stage entered" | "stage log" | "created date" | "none", number>;
  /** Recognised columns: field -> header as found on the sheet. */
  columns: Partial<Record<Field, string>>;
  /** Fields that were matched by a guess rather than a known header. */
  guessed: Field[];
  /** Each recognised column with why: "Value ← close_value (H1): header word \"value\", 98 % amounts". */
  mapping: ColumnMapping[];
  missing: Field[];
  /** How each date column was read: day or month first, from its own values, the sheet's other dates or the settings. */
  dates: { field: Field; header: string; column: string; order: "DMY" | "MDY"; basis: "values" | "other columns" | "settings"; dayFirst: number; monthFirst: number; ambiguous: number }[];
  /** How the value column writes its numbers ("comma": 1.234,56), and why; null without a value column. */
  amounts: {
    header: string;
    column: string;
    decimal: "point" | "comma";
    basis: "values" | "currency" | "delimiter" | "settings";
    commaProof: number;
    pointProof: number;
    ambiguous: number;
    /** Why, in words: "decimal comma: no value proves the mark; the file is split by ";", as European exports are". */
    evidence: string;
  } | null;
  /** The currency money is shown in, and where it came from. */
  currency: { code: string; from: "settings" | "header" | "values" };
  /** Rows below the header that are not deals and were skipped: blank, repeated header rows, totals, group titles. */
  skippedRows: { blank: number; header: number; total: number; group: number };
  headline: string;
  /** "Since last review" in brief, for the pane's and sidebar's summary; null without an earlier run (full figures: metrics.movement). */
  changes?: ChangesSummary | null;
}

export interface ChangesSummary {
  since: string;
  start: { count: number; value: number };
  end: { count: number; value: number };
  new: number;
  won: number;
  lost: number;
  pushed: number;
  advanced: number;
  movedBack: number;
  /** "Since 2026-11-24: 120 → 126 open deals, USD 1,200,000 → USD 1,310,000; 5 new, 3 won, 1 lost, 4 pushed." */
  line: string;
}

/** Everything a host needs to apply one command. Hosts apply it; they decide nothing. */
export interface WorkbookPlan {
  sheet: string;
  /** 0-based row index of the header row on the deals sheet. */
  headerRow: number;
  /** Number of data rows (rows below the header up to the last non-empty row). */
  rowCount: number;
  columns: ColumnWrite[];
  conditionalFormats: ConditionalRule[];
  validations: ValidationRule[];
  /** Tabs to (re)write whole: review, settings, log. */
  tabs: TabWrite[];
  /** Rows to append to the log tab (when the log tab is not rewritten whole). */
  logAppend: Grid;
  summary: Summary;
  problems: Problem[];
}

export const TAB_REVIEW = "Pipeline Review";
export const TAB_SETTINGS = "Pipeline Settings";
export const TAB_LOG = "Pipeline Log";
/** Prefix of every conditional-format / validation id pipesheet owns. */
export const RULE_PREFIX = "pipesheet:";

/** One stage change, as kept in the hidden "Pipeline Log" tab. `from` is "" for a deal's first snapshot. */
export interface Transition {
  dealId: string;
  from: string;
  to: string;
  day: Day;
}

export type Grade = "A" | "B" | "C" | "D";
/** The three lead-scoring questions, in the order they are asked and shown. */
export const DIMENSIONS = ["need", "budget", "authority"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface LeadScore {
  /** 0..100, whole number. */
  score: number;
  grade: Grade;
  qualified: boolean;
  /** "Need high +40 · Budget unknown +0 · Authority decision maker +30" */
  reasons: string;
  /** Dimensions whose cell was blank. */
  unknown: Dimension[];
  /** Dimensions whose cell held an answer the settings do not list (scored 0). */
  unrecognised: Dimension[];
}

export type StageBasis = "stage entered" | "stage log" | "created date" | "none";

export interface StuckResult {
  /** Why, in words: "31 days in Proposal (limit 21)", "no activity for 40 days", "close date passed 12 days ago". */
  reasons: string[];
  /** "nudge" while within cutLooseFactor × threshold, "cut loose" beyond. */
  severity: "nudge" | "cut loose";
  /** Suggested next action in words. */
  action: string;
}

/**
 * What the figures read of each deal's result, as columns by deal position (core/results.ts): a million deals
 * cost five flat arrays, not a million result objects. Missing numbers are NaN.
 */
export interface DealResults {
  readonly length: number;
  readonly score: readonly LeadScore[];
  /** Learned win likelihood 0..1; NaN when the model is not ready or the deal is closed. */
  readonly win: Float64Array;
  /** Days in the current stage; NaN when not known. */
  readonly daysInStage: Float64Array;
  /** The days-in-stage threshold applied (settings or learned); NaN when none. */
  readonly threshold: Float64Array;
  readonly stuck: readonly (StuckResult | null)[];
}

/** One deal's result as the figures read it (one row of DealResults). */
export interface DealResult {
  score: LeadScore;
  /** Learned win likelihood 0..1, or null when the model is not ready or the deal is closed. */
  win: number | null;
  daysInStage: number | null;
  /** The days-in-stage threshold applied (settings or learned), or null when none. */
  threshold: number | null;
  stuck: StuckResult | null;
}

/** What the review needs to say about the win-likelihood model. */
export interface WinModelSummary {
  ready: boolean;
  closed: number;
  needed: number;
  /** "not enough history (12 closed deals, need 30)" or "learned from 240 closed deals". */
  message: string;
  /** Holdout measures, when ready: share of correct calls at 50 %, Brier score, and the base-rate Brier to compare. */
  holdoutSize: number;
  accuracy: number | null;
  brier: number | null;
  baselineBrier: number | null;
  features: string[];
}

/** Where each field and each of pipesheet's own columns is on the deals sheet (core/columns.ts finds it). */
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
  /** Why each field got its column, in words: "known header", "header words + 98 % amounts". */
  evidence: Partial<Record<Field, string>>;
  /** The value column's runner-up, when another column also holds amounts: its 0-based column. */
  valueRunnerUp: number | null;
  problems: Problem[];
}
