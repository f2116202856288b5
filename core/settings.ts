// Settings: one zod schema, the defaults from common sales practice, and the round trip through the "Pipeline Settings" tab.
import { z } from "zod";
import { a1, dayFromDate, dayFromExcelSerial, dayFromIso, isoFromDay } from "./a1.js";
import { DIMENSIONS, FIELDS, TAB_SETTINGS, type Cell, type Field, type Grid, type Problem } from "./types.js";

export const StageKind = z.enum(["open", "won", "lost"]);

export const Stage = z.object({
  name: z.string().trim().min(1),
  kind: StageKind,
  /** Chance a deal in this stage closes won, 0-100. */
  probability: z.number().min(0).max(100),
  /** Days in this stage after which an open deal counts as stuck; null = never. */
  stuckDays: z.number().int().positive().nullable(),
  required: z.array(z.enum(FIELDS)),
  checklist: z.array(z.string().trim().min(1)),
  /** Other names the team uses for this stage (matched loosely as well). */
  aliases: z.array(z.string().trim().min(1)),
});
export type Stage = z.infer<typeof Stage>;

export const Dimension = z.enum(DIMENSIONS);
export type Dimension = z.infer<typeof Dimension>;

export const Answer = z.object({
  dimension: Dimension,
  /** The answer as it is shown in drop-downs and reasons, e.g. "Decision maker". */
  label: z.string().trim().min(1),
  /** 0..3 on the dimension's scale; the contribution is weight × points ÷ 3. */
  points: z.number().min(0).max(3),
  /** Other ways people write this answer: "yes", "dm", "3". */
  synonyms: z.array(z.string().trim().min(1)),
});
export type Answer = z.infer<typeof Answer>;

export const Scoring = z
  .object({
    answers: z.array(Answer).min(1),
    /** Share of the 0-100 score each dimension carries; they add up to 100. */
    weights: z.object({ need: z.number().min(0), budget: z.number().min(0), authority: z.number().min(0) }),
    /** Lowest score for grades A, B and C; below C is D. */
    grades: z.object({ A: z.number().min(0).max(100), B: z.number().min(0).max(100), C: z.number().min(0).max(100) }),
    qualifiedAt: z.number().min(0).max(100),
  })
  .refine((s) => Math.abs(s.weights.need + s.weights.budget + s.weights.authority - 100) < 1e-9, {
    message: "Need, budget and authority weights must add up to 100.",
    path: ["weights"],
  })
  .refine((s) => s.grades.A > s.grades.B && s.grades.B > s.grades.C, {
    message: "Grade cut-offs must fall from A to C (e.g. A 75, B 50, C 25).",
    path: ["grades"],
  });
export type Scoring = z.infer<typeof Scoring>;

export const Quarterly = z.object({
  /** Sales and marketing spend in the last quarter. */
  salesMarketingSpend: z.number().min(0).nullable(),
  /** Sales and marketing spend in the quarter before (for the magic number's lag). */
  previousSpend: z.number().min(0).nullable(),
  newCustomers: z.number().min(0).nullable(),
  /** Average revenue per customer per month. */
  arpa: z.number().min(0).nullable(),
  /** Gross margin, 0-100 %. */
  grossMargin: z.number().min(0).max(100).nullable(),
  /** Monthly customer churn, 0-100 %. */
  monthlyChurn: z.number().min(0).max(100).nullable(),
  /** Recurring revenue of the quarter and of the one before (for the magic number). */
  quarterRevenue: z.number().min(0).nullable(),
  previousQuarterRevenue: z.number().min(0).nullable(),
});
export type Quarterly = z.infer<typeof Quarterly>;

export const Metrics = z.object({
  winRateBasis: z.enum(["count", "value"]),
  cycleBasis: z.enum(["won", "closed"]),
  target: z.number().min(0).nullable(),
  targetPeriod: z.enum(["month", "quarter", "year"]),
  quarterly: Quarterly,
});
export type Metrics = z.infer<typeof Metrics>;

export const StuckRules = z.object({
  /** Days without activity after which an open deal is stuck (needs a last-activity column). */
  noActivityDays: z.number().int().positive().nullable(),
  /** Use thresholds learned from won deals (factor × median days in stage) where history allows. */
  learned: z.boolean(),
  learnedFactor: z.number().positive(),
  /** Past this multiple of the threshold the suggestion is to cut the deal loose. */
  cutLooseFactor: z.number().min(1),
  overdueCloseDate: z.boolean(),
});
export type StuckRules = z.infer<typeof StuckRules>;

export const WinModel = z.object({
  minClosed: z.number().int().min(2),
  /** Share of closed deals held out to measure the model, 0-50 %. */
  holdout: z.number().min(5).max(50),
});

export const Role = z.enum(["AE", "BDR"]);
export type Role = z.infer<typeof Role>;

/** Monthly load one rep of a role can carry; null = not compared. */
export const RoleCapacity = z.object({
  openDeals: z.number().int().positive().nullable(),
  /** Activities (calls, emails, meetings, notes) in 30 days. */
  activities: z.number().int().positive().nullable(),
});

export const Capacity = z.object({
  AE: RoleCapacity,
  BDR: RoleCapacity,
  /** Below this share of capacity a rep is flagged under, 0-100 %. */
  underPercent: z.number().min(0).max(100),
  /** The Owners table: each rep's role; reps not listed count as AE. */
  owners: z.array(z.object({ owner: z.string().trim().min(1), role: Role })),
});
export type Capacity = z.infer<typeof Capacity>;

export const Review = z.object({
  /** "Since last review" starts here (YYYY-MM-DD); null = the previous review run. */
  since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  /** An open deal whose expected close moved later this many times is stuck; null = never. */
  pushLimit: z.number().int().positive().nullable(),
});

export const Settings = z.object({
  stages: z
    .array(Stage)
    .min(2)
    .refine((s) => new Set(s.map((x) => x.name.toLowerCase())).size === s.length, { message: "Stage names must be unique." })
    .refine((s) => s.some((x) => x.kind === "won") && s.some((x) => x.kind === "lost"), {
      message: "There must be at least one won and one lost stage.",
    }),
  scoring: Scoring,
  metrics: Metrics,
  stuck: StuckRules,
  winModel: WinModel,
  review: Review,
  /** How to read dates like 03/04/2026: day first (DMY) or month first (MDY). */
  dateOrder: z.enum(["DMY", "MDY"]),
  currency: z.string().trim().min(1).max(8),
  /** The team's words for a deal's outcome, in a status column or a stage name; compared loosely. */
  outcomes: z.object({ won: z.array(z.string().trim().min(1)), lost: z.array(z.string().trim().min(1)), open: z.array(z.string().trim().min(1)) }),
  /** Header corrections: field -> header text on the deals sheet. */
  columns: z.partialRecord(z.enum(FIELDS), z.string().trim().min(1)),
  /** The team's own words for each activity type, on top of the ones pipesheet knows. */
  activityTypes: z.object({ call: z.array(z.string().trim().min(1)), email: z.array(z.string().trim().min(1)), meeting: z.array(z.string().trim().min(1)), note: z.array(z.string().trim().min(1)) }),
  capacity: Capacity,
  /** Segments (by source, product, industry, owner) with fewer closed deals are shown but not ranked. */
  segments: z.object({ minClosed: z.number().int().min(1) }),
});
export type Settings = z.infer<typeof Settings>;

const answers = (dimension: Dimension, rows: [string, number, string[]][]): Answer[] =>
  rows.map(([label, points, synonyms]) => ({ dimension, label, points, synonyms }));

export const DEFAULT_SETTINGS: Settings = {
  stages: [
    {
      name: "Prospecting",
      kind: "open",
      probability: 5,
      stuckDays: 14,
      required: [],
      checklist: ["Call or email to build awareness", "Log the first contact"],
      aliases: ["prospect", "new", "lead", "appointment scheduled"],
    },
    {
      name: "Lead qualification",
      kind: "open",
      probability: 10,
      stuckDays: 14,
      required: [],
      checklist: ["Vet fit against the ideal customer profile", "Record need, budget and authority"],
      aliases: ["qualification", "qualified", "qualify", "qualifiedtobuy", "lead qualified", "discovery"],
    },
    {
      name: "Meeting",
      kind: "open",
      probability: 20,
      stuckDays: 21,
      required: [],
      checklist: ["Send an agenda and the open questions", "Confirm who decides"],
      aliases: ["demo", "meeting scheduled", "presentation scheduled", "needs analysis", "contact made"],
    },
    {
      name: "Proposal",
      kind: "open",
      probability: 40,
      stuckDays: 21,
      required: ["value"],
      checklist: ["Present solutions and prices", "Agree a decision date"],
      aliases: ["proposal sent", "proposal made", "quote", "proposal/price quote", "value proposition", "decision maker bought in"],
    },
    {
      name: "Negotiation",
      kind: "open",
      probability: 70,
      stuckDays: 30,
      required: ["value", "closeDate"],
      checklist: ["Settle discounts and pricing room", "Get the contract signed"],
      aliases: ["negotiations started", "contract sent", "negotiation/review", "perception analysis", "commit"],
    },
    {
      name: "Won",
      kind: "won",
      probability: 100,
      stuckDays: null,
      required: ["value"],
      checklist: ["Document the outcome and hand over to delivery"],
      aliases: ["closed won", "closedwon", "won deal", "win"],
    },
    {
      name: "Lost",
      kind: "lost",
      probability: 0,
      stuckDays: null,
      required: ["lossReason"],
      checklist: ["Document the outcome and the loss reason"],
      aliases: ["closed lost", "closedlost", "lost deal", "loss"],
    },
  ],
  scoring: {
    answers: [
      ...answers("need", [
        ["High", 3, ["yes", "critical", "urgent", "3", "must have", "strong"]],
        ["Medium", 2, ["partial", "some", "2", "nice to have", "moderate"]],
        ["Low", 1, ["1", "weak", "maybe"]],
        ["None", 0, ["no", "0", "no need", "not interested"]],
      ]),
      ...answers("budget", [
        ["Approved", 3, ["yes", "3", "budget approved", "allocated", "high"]],
        ["Planned", 2, ["partial", "2", "medium", "in planning", "pending approval"]],
        ["Limited", 1, ["1", "low", "small"]],
        ["No budget", 0, ["no", "0", "none"]],
      ]),
      ...answers("authority", [
        ["Decision maker", 3, ["yes", "3", "dm", "economic buyer", "signer", "owner", "high"]],
        ["Influencer", 2, ["partial", "2", "champion", "recommender", "medium"]],
        ["User", 1, ["1", "end user", "gatekeeper", "low"]],
        ["No authority", 0, ["no", "0", "none"]],
      ]),
    ],
    weights: { need: 40, budget: 30, authority: 30 },
    grades: { A: 75, B: 50, C: 25 },
    qualifiedAt: 50,
  },
  metrics: {
    winRateBasis: "count",
    cycleBasis: "won",
    target: null,
    targetPeriod: "quarter",
    quarterly: {
      salesMarketingSpend: null,
      previousSpend: null,
      newCustomers: null,
      arpa: null,
      grossMargin: null,
      monthlyChurn: null,
      quarterRevenue: null,
      previousQuarterRevenue: null,
    },
  },
  stuck: { noActivityDays: 30, learned: false, learnedFactor: 1.5, cutLooseFactor: 3, overdueCloseDate: true },
  winModel: { minClosed: 30, holdout: 25 },
  review: { since: null, pushLimit: 3 },
  dateOrder: "MDY",
  currency: "USD",
  // English and the languages the CRMs export in for their European users (de, fr, es, it, nl, pt).
  outcomes: {
    won: ["won", "win", "closed won", "signed", "gewonnen", "gagné", "ganado", "ganada", "vinto", "vinta", "ganho", "ganha", "abgeschlossen gewonnen"],
    lost: [
      "lost", "loss", "closed lost", "dead", "disqualified", "not relevant", "churned", "cancelled", "canceled", "abandoned", "rejected", "declined",
      "no deal", "project lost", "verloren", "perdu", "perdue", "perdido", "perdida", "perso", "persa", "verloren gegaan", "abgesagt",
    ],
    open: ["open", "on hold", "in progress", "active", "offen", "ouvert", "abierto", "aperto", "aberto"],
  },
  columns: {},
  activityTypes: { call: [], email: [], meeting: [], note: [] },
  // Common planning figures: an AE works about 40 open deals, a BDR books meetings from about 1,000 touches a month.
  capacity: { AE: { openDeals: 40, activities: 300 }, BDR: { openDeals: 15, activities: 1000 }, underPercent: 50, owners: [] },
  segments: { minClosed: 5 },
};

// ---------------------------------------------------------------------------------------------
// The settings tab. A readable grid in sections; each section starts with its title in column A,
// then a header row, then one row per item, then a blank row.

const LIST_SEP = "; ";
const splitList = (text: string): string[] =>
  text
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

type ScalarKind = "number" | "number?" | "int?" | "bool" | "text" | "enum" | "list" | "date?";
interface ScalarDef {
  label: string;
  meaning: string;
  kind: ScalarKind;
  get: (s: Settings) => number | string | boolean | null | string[];
  set: (s: Settings, v: number | string | boolean | null | string[]) => void;
  options?: readonly string[];
}

const q = (key: keyof Quarterly, label: string, meaning: string): ScalarDef => ({
  label,
  meaning,
  kind: "number?",
  get: (s) => s.metrics.quarterly[key],
  set: (s, v) => {
    s.metrics.quarterly[key] = v as number | null;
  },
});

/** The General row of the push limit: the stuck rule's helper cells read its value (column B) live. */
export const PUSH_LIMIT_LABEL = "Stuck after close date pushed times";

const GENERAL: ScalarDef[] = [
  { label: "Date order", meaning: "How to read dates like 03/04/2026: DMY (day first) or MDY (month first)", kind: "enum", options: ["DMY", "MDY"], get: (s) => s.dateOrder, set: (s, v) => { s.dateOrder = v as Settings["dateOrder"]; } },
  { label: "Currency", meaning: "Currency code shown with money", kind: "text", get: (s) => s.currency, set: (s, v) => { s.currency = String(v); } },
  { label: "Won words", meaning: "Status or stage words that mean a deal was won (adopted stages with them are won stages)", kind: "list", get: (s) => s.outcomes.won, set: (s, v) => { s.outcomes.won = v as string[]; } },
  { label: "Lost words", meaning: "Status or stage words that mean a deal was lost", kind: "list", get: (s) => s.outcomes.lost, set: (s, v) => { s.outcomes.lost = v as string[]; } },
  { label: "Open words", meaning: "Status words that mean a deal is still open (its stage then decides)", kind: "list", get: (s) => s.outcomes.open, set: (s, v) => { s.outcomes.open = v as string[]; } },
  { label: "Need weight", meaning: "Share of the 0-100 lead score that need carries", kind: "number", get: (s) => s.scoring.weights.need, set: (s, v) => { s.scoring.weights.need = v as number; } },
  { label: "Budget weight", meaning: "Share of the lead score that budget carries", kind: "number", get: (s) => s.scoring.weights.budget, set: (s, v) => { s.scoring.weights.budget = v as number; } },
  { label: "Authority weight", meaning: "Share of the lead score that authority carries", kind: "number", get: (s) => s.scoring.weights.authority, set: (s, v) => { s.scoring.weights.authority = v as number; } },
  { label: "Grade A from", meaning: "Lowest score graded A", kind: "number", get: (s) => s.scoring.grades.A, set: (s, v) => { s.scoring.grades.A = v as number; } },
  { label: "Grade B from", meaning: "Lowest score graded B", kind: "number", get: (s) => s.scoring.grades.B, set: (s, v) => { s.scoring.grades.B = v as number; } },
  { label: "Grade C from", meaning: "Lowest score graded C; below is D", kind: "number", get: (s) => s.scoring.grades.C, set: (s, v) => { s.scoring.grades.C = v as number; } },
  { label: "Qualified from", meaning: "Score at which a lead counts as qualified", kind: "number", get: (s) => s.scoring.qualifiedAt, set: (s, v) => { s.scoring.qualifiedAt = v as number; } },
  { label: "Win rate basis", meaning: "count (deals won ÷ closed) or value (value won ÷ value closed)", kind: "enum", options: ["count", "value"], get: (s) => s.metrics.winRateBasis, set: (s, v) => { s.metrics.winRateBasis = v as Metrics["winRateBasis"]; } },
  { label: "Cycle length over", meaning: "won (won deals only) or closed (won and lost deals)", kind: "enum", options: ["won", "closed"], get: (s) => s.metrics.cycleBasis, set: (s, v) => { s.metrics.cycleBasis = v as Metrics["cycleBasis"]; } },
  { label: "Revenue target", meaning: "Revenue to win per target period (blank: no coverage figures)", kind: "number?", get: (s) => s.metrics.target, set: (s, v) => { s.metrics.target = v as number | null; } },
  { label: "Target period", meaning: "month, quarter or year", kind: "enum", options: ["month", "quarter", "year"], get: (s) => s.metrics.targetPeriod, set: (s, v) => { s.metrics.targetPeriod = v as Metrics["targetPeriod"]; } },
  { label: "Stuck without activity after days", meaning: "Open deals with no activity for this many days are stuck (blank: off)", kind: "int?", get: (s) => s.stuck.noActivityDays, set: (s, v) => { s.stuck.noActivityDays = v as number | null; } },
  { label: "Overdue close date is stuck", meaning: "yes: an open deal past its expected close date is stuck", kind: "bool", get: (s) => s.stuck.overdueCloseDate, set: (s, v) => { s.stuck.overdueCloseDate = v as boolean; } },
  { label: "Learn stuck thresholds", meaning: "yes: use learned factor × median days won deals spent in a stage, where history allows", kind: "bool", get: (s) => s.stuck.learned, set: (s, v) => { s.stuck.learned = v as boolean; } },
  { label: "Learned threshold factor", meaning: "Multiple of the median days in stage of won deals", kind: "number", get: (s) => s.stuck.learnedFactor, set: (s, v) => { s.stuck.learnedFactor = v as number; } },
  { label: "Cut loose after factor", meaning: "Past this multiple of the threshold, suggest cutting the deal loose", kind: "number", get: (s) => s.stuck.cutLooseFactor, set: (s, v) => { s.stuck.cutLooseFactor = v as number; } },
  { label: "Review changes since", meaning: "Date the review's What changed section starts from, as YYYY-MM-DD (blank: the previous review run)", kind: "date?", get: (s) => s.review.since, set: (s, v) => { s.review.since = v as string | null; } },
  { label: PUSH_LIMIT_LABEL, meaning: "An open deal whose expected close date moved later this many times is stuck (blank: off)", kind: "int?", get: (s) => s.review.pushLimit, set: (s, v) => { s.review.pushLimit = v as number | null; } },
  { label: "Win model minimum closed deals", meaning: "Closed deals needed before win likelihood is shown", kind: "number", get: (s) => s.winModel.minClosed, set: (s, v) => { s.winModel.minClosed = v as number; } },
  { label: "Win model holdout %", meaning: "Share of closed deals held out to measure the model", kind: "number", get: (s) => s.winModel.holdout, set: (s, v) => { s.winModel.holdout = v as number; } },
  ...(["AE", "BDR"] as const).flatMap((role): ScalarDef[] => [
    { label: `${role} capacity: open deals`, meaning: `Open deals one ${role} can work (blank: not compared)`, kind: "int?", get: (s) => s.capacity[role].openDeals, set: (s, v) => { s.capacity[role].openDeals = v as number | null; } },
    { label: `${role} capacity: activities per month`, meaning: `Activities one ${role} logs in 30 days (blank: not compared)`, kind: "int?", get: (s) => s.capacity[role].activities, set: (s, v) => { s.capacity[role].activities = v as number | null; } },
  ]),
  { label: "Under capacity below %", meaning: "A rep below this share of capacity is flagged under", kind: "number", get: (s) => s.capacity.underPercent, set: (s, v) => { s.capacity.underPercent = v as number; } },
  { label: "Segment minimum closed deals", meaning: "Where we win: segments with fewer closed deals are shown, not ranked", kind: "number", get: (s) => s.segments.minClosed, set: (s, v) => { s.segments.minClosed = v as number; } },
  q("salesMarketingSpend", "Quarter sales & marketing spend", "For CAC, CAC payback and magic number (blank: not shown)"),
  q("previousSpend", "Previous quarter sales & marketing spend", "For the magic number"),
  q("newCustomers", "Quarter new customers", "For CAC"),
  q("arpa", "Monthly revenue per customer", "For LTV and CAC payback"),
  q("grossMargin", "Gross margin %", "For LTV and CAC payback"),
  q("monthlyChurn", "Monthly churn %", "For LTV"),
  q("quarterRevenue", "Quarter recurring revenue", "For the magic number"),
  q("previousQuarterRevenue", "Previous quarter recurring revenue", "For the magic number"),
];

const FIELD_LABELS: Record<Field, string> = {
  dealId: "Deal ID",
  name: "Deal name",
  company: "Company",
  stage: "Stage",
  status: "Status",
  value: "Value",
  owner: "Owner",
  createdDate: "Created date",
  closeDate: "Expected close date",
  closedDate: "Actual close date",
  lostDate: "Lost date",
  stageEntered: "Stage entered",
  lastActivity: "Last activity",
  nextStep: "Next step",
  nextStepDate: "Next step date",
  firstContact: "First contact",
  need: "Need",
  budget: "Budget",
  authority: "Authority",
  lossReason: "Loss reason",
  probability: "Probability",
  source: "Source",
  product: "Product",
  industry: "Industry",
};
export const fieldLabel = (f: Field): string => FIELD_LABELS[f];
const fieldByLabel = new Map<string, Field>(FIELDS.flatMap((f) => [[FIELD_LABELS[f].toLowerCase(), f], [f.toLowerCase(), f]]));

const SECTION_STAGES = "Stages";
const SECTION_SCORING = "Scoring answers";
const SECTION_GENERAL = "General";
const SECTION_COLUMNS = "Columns";
const STAGE_HEADER = ["Stage", "Kind", "Win probability %", "Stuck after days", "Required fields", "Checklist", "Also called"];
const ANSWER_HEADER = ["Dimension", "Answer", "Points (0-3)", "Also accepted"];
const GENERAL_HEADER = ["Setting", "Value", "Meaning"];
const COLUMNS_HEADER = ["Field", "Header on your deals sheet"];
const SECTION_ACTIVITY = "Activity types";
const SECTION_OWNERS = "Owners";
const ACTIVITY_HEADER = ["Type", "Also called"];
const OWNERS_HEADER = ["Owner", "Role"];
const ACTIVITY_KINDS = ["call", "email", "meeting", "note"] as const;

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const VERSION_LABEL = "pipesheet version";

/** The version that wrote a settings tab; null for one written before 0.2 (the row was blank then). */
export function settingsVersion(grid: Grid): string | null {
  const row = grid.find((r) => text(r[0]).toLowerCase() === VERSION_LABEL);
  return row ? text(row[1]) || null : null;
}

export function settingsToGrid(s: Settings, version?: string): Grid {
  const g: Grid = [];
  g.push(["Pipeline Settings", "Edit the cells below; pipesheet reads them on every run. Lists are separated by ';'."]);
  // In the row 0.1 left blank, so every section stays where it was.
  g.push(version === undefined ? [] : [VERSION_LABEL, version]);
  g.push([SECTION_STAGES]);
  g.push([...STAGE_HEADER]);
  for (const st of s.stages) {
    g.push([
      st.name,
      st.kind,
      st.probability,
      st.stuckDays ?? "",
      st.required.map(fieldLabel).join(LIST_SEP),
      st.checklist.join(LIST_SEP),
      st.aliases.join(LIST_SEP),
    ]);
  }
  g.push([]);
  g.push([SECTION_SCORING]);
  g.push([...ANSWER_HEADER]);
  for (const a of s.scoring.answers) g.push([cap(a.dimension), a.label, a.points, a.synonyms.join(LIST_SEP)]);
  g.push([]);
  g.push([SECTION_GENERAL]);
  g.push([...GENERAL_HEADER]);
  for (const d of GENERAL) {
    const v = d.get(s);
    g.push([d.label, v === null ? "" : typeof v === "boolean" ? (v ? "yes" : "no") : Array.isArray(v) ? v.join(LIST_SEP) : v, d.meaning]);
  }
  g.push([]);
  g.push([SECTION_COLUMNS]);
  g.push([...COLUMNS_HEADER]);
  for (const f of FIELDS) g.push([fieldLabel(f), s.columns[f] ?? ""]);
  g.push([]);
  g.push([SECTION_ACTIVITY]);
  g.push([...ACTIVITY_HEADER]);
  for (const t of ACTIVITY_KINDS) g.push([t, s.activityTypes[t].join(LIST_SEP)]);
  g.push([]);
  g.push([SECTION_OWNERS]);
  g.push([...OWNERS_HEADER]);
  for (const o of s.capacity.owners) g.push([o.owner, o.role]);
  return g;
}

const text = (c: Cell): string => (c === null || c === undefined ? "" : c instanceof Date ? c.toISOString() : String(c)).trim();

export interface SettingsResult {
  settings: Settings;
  problems: Problem[];
}

/**
 * Reads the settings tab. Never throws: a bad cell is reported by its address and the default
 * for that item is kept, so one typo does not stop the whole pipeline.
 */
export function settingsFromGrid(grid: Grid): SettingsResult {
  const problems: Problem[] = [];
  const bad = (r: number, c: number, message: string): void => {
    problems.push({ sheet: TAB_SETTINGS, cell: a1(r, c), code: "BAD_SETTING", message, severity: "error" });
  };
  const s: Settings = structuredClone(DEFAULT_SETTINGS);
  s.columns = {};

  // Find each section by its title in column A.
  const sections = new Map<string, number>();
  grid.forEach((row, r) => {
    const t = text(row[0]);
    if ([SECTION_STAGES, SECTION_SCORING, SECTION_GENERAL, SECTION_COLUMNS, SECTION_ACTIVITY, SECTION_OWNERS].includes(t) && !sections.has(t)) sections.set(t, r);
  });
  const rowsOf = (title: string): { r: number; row: Cell[] }[] => {
    const start = sections.get(title);
    if (start === undefined) return [];
    const out: { r: number; row: Cell[] }[] = [];
    for (let r = start + 2; r < grid.length; r++) {
      const row = grid[r] ?? [];
      if (row.every((c) => text(c) === "")) break;
      out.push({ r, row });
    }
    return out;
  };
  const num = (r: number, c: number, cell: Cell, what: string, optional: boolean): number | null | undefined => {
    const t = text(cell);
    if (t === "") {
      if (optional) return null;
      bad(r, c, `${what} is empty: enter a number.`);
      return undefined;
    }
    const n = typeof cell === "number" ? cell : Number(t.replace(/[%\s,]/g, ""));
    if (!Number.isFinite(n)) {
      bad(r, c, `${what} "${t}" is not a number: enter a number such as 30.`);
      return undefined;
    }
    return n;
  };

  // Stages
  if (sections.has(SECTION_STAGES)) {
    const stages: Stage[] = [];
    for (const { r, row } of rowsOf(SECTION_STAGES)) {
      const name = text(row[0]);
      const kind = text(row[1]).toLowerCase();
      if (!["open", "won", "lost"].includes(kind)) bad(r, 1, `Kind "${text(row[1])}" of stage "${name}" must be open, won or lost.`);
      const probability = num(r, 2, row[2], `Win probability of "${name}"`, false);
      if (probability !== undefined && probability !== null && (probability < 0 || probability > 100))
        bad(r, 2, `Win probability of "${name}" must be between 0 and 100.`);
      const stuckRaw = num(r, 3, row[3], `Stuck after days of "${name}"`, true);
      if (stuckRaw !== undefined && stuckRaw !== null && (!Number.isInteger(stuckRaw) || stuckRaw <= 0))
        bad(r, 3, `Stuck after days of "${name}" must be a whole number above 0, or blank for never.`);
      const required: Field[] = [];
      for (const label of splitList(text(row[4]))) {
        const f = fieldByLabel.get(label.toLowerCase());
        if (f) required.push(f);
        else bad(r, 4, `Required field "${label}" of stage "${name}" is not a field pipesheet knows; use one of: ${FIELDS.map(fieldLabel).join(", ")}.`);
      }
      stages.push({
        name,
        kind: (["open", "won", "lost"].includes(kind) ? kind : "open") as Stage["kind"],
        probability: typeof probability === "number" ? probability : 0,
        stuckDays: typeof stuckRaw === "number" && Number.isInteger(stuckRaw) && stuckRaw > 0 ? stuckRaw : null,
        required,
        checklist: splitList(text(row[5])),
        aliases: splitList(text(row[6])),
      });
    }
    const parsed = Settings.shape.stages.safeParse(stages);
    if (parsed.success) s.stages = parsed.data;
    else {
      const at = sections.get(SECTION_STAGES) ?? 0;
      for (const issue of parsed.error.issues) {
        const idx = typeof issue.path[0] === "number" ? issue.path[0] : -1;
        bad(idx >= 0 ? at + 2 + idx : at, 0, `Stages: ${issue.message}`);
      }
    }
  }

  // Scoring answers
  if (sections.has(SECTION_SCORING)) {
    const list: Answer[] = [];
    for (const { r, row } of rowsOf(SECTION_SCORING)) {
      const dim = text(row[0]).toLowerCase();
      const label = text(row[1]);
      const points = num(r, 2, row[2], `Points of "${label}"`, false);
      if (!["need", "budget", "authority"].includes(dim)) {
        bad(r, 0, `Dimension "${text(row[0])}" must be Need, Budget or Authority.`);
        continue;
      }
      if (label === "") {
        bad(r, 1, "Answer is empty: enter the answer as your team writes it.");
        continue;
      }
      if (typeof points !== "number" || points < 0 || points > 3) {
        if (typeof points === "number") bad(r, 2, `Points of "${label}" must be between 0 and 3.`);
        continue;
      }
      list.push({ dimension: dim as Dimension, label, points, synonyms: splitList(text(row[3])) });
    }
    if (list.length > 0) s.scoring.answers = list;
  }

  // General
  if (sections.has(SECTION_GENERAL)) {
    const byLabel = new Map(GENERAL.map((d) => [d.label.toLowerCase(), d]));
    for (const { r, row } of rowsOf(SECTION_GENERAL)) {
      const label = text(row[0]);
      const def = byLabel.get(label.toLowerCase());
      if (!def) {
        bad(r, 0, `Unknown setting "${label}": check the spelling, or delete the row.`);
        continue;
      }
      const cell = row[1];
      const t = text(cell);
      switch (def.kind) {
        case "number":
        case "number?":
        case "int?": {
          const n = num(r, 1, cell, def.label, def.kind !== "number");
          if (n === undefined) break;
          if (def.kind === "int?" && n !== null && (!Number.isInteger(n) || n <= 0)) {
            bad(r, 1, `${def.label} must be a whole number above 0, or blank.`);
            break;
          }
          def.set(s, n);
          break;
        }
        case "bool": {
          const v = t.toLowerCase();
          if (["yes", "true", "y", "1", "on"].includes(v)) def.set(s, true);
          else if (["no", "false", "n", "0", "off", ""].includes(v)) def.set(s, false);
          else bad(r, 1, `${def.label} must be yes or no.`);
          break;
        }
        case "enum": {
          const opt = def.options?.find((o) => o.toLowerCase() === t.toLowerCase());
          if (opt) def.set(s, opt);
          else bad(r, 1, `${def.label} "${t}" must be one of: ${def.options?.join(", ")}.`);
          break;
        }
        case "date?": {
          // The cell may hold a date (Sheets), a serial number (Excel) or text.
          const day = cell instanceof Date ? dayFromDate(cell) : typeof cell === "number" ? dayFromExcelSerial(cell) : t === "" ? null : dayFromIso(t);
          if (t !== "" && day === null) bad(r, 1, `${def.label} "${t}" is not a date: enter it as YYYY-MM-DD, or leave it blank.`);
          else def.set(s, day === null ? null : isoFromDay(day));
          break;
        }
        case "text":
          if (t === "") bad(r, 1, `${def.label} is empty.`);
          else def.set(s, t);
          break;
        case "list":
          def.set(s, splitList(t));
          break;
      }
    }
  }

  // Columns
  for (const { r, row } of rowsOf(SECTION_COLUMNS)) {
    const label = text(row[0]);
    const f = fieldByLabel.get(label.toLowerCase());
    if (!f) {
      bad(r, 0, `Unknown field "${label}": use one of ${FIELDS.map(fieldLabel).join(", ")}.`);
      continue;
    }
    const header = text(row[1]);
    if (header !== "") s.columns[f] = header;
  }

  // Activity types: the team's own words per type.
  for (const { r, row } of rowsOf(SECTION_ACTIVITY)) {
    const t = ACTIVITY_KINDS.find((k) => k === text(row[0]).toLowerCase());
    if (!t) {
      bad(r, 0, `Activity type "${text(row[0])}" must be call, email, meeting or note.`);
      continue;
    }
    s.activityTypes[t] = splitList(text(row[1]));
  }

  // Owners: each rep's role, for capacity.
  for (const { r, row } of rowsOf(SECTION_OWNERS)) {
    const owner = text(row[0]);
    const role = Role.options.find((o) => o.toLowerCase() === text(row[1]).toLowerCase());
    if (owner === "") {
      bad(r, 0, "Owner is empty: enter the rep as the deals sheet's Owner column writes them.");
      continue;
    }
    if (!role) {
      bad(r, 1, `Role "${text(row[1])}" of ${owner} must be AE or BDR.`);
      continue;
    }
    s.capacity.owners.push({ owner, role });
  }

  // Whole-object rules (weights add to 100, grades fall) reported at the General section.
  const whole = Settings.safeParse(s);
  if (!whole.success) {
    const at = sections.get(SECTION_GENERAL) ?? 0;
    for (const issue of whole.error.issues) {
      const path = issue.path.join(".");
      const labelRow = path.startsWith("scoring.weights")
        ? "Need weight"
        : path.startsWith("scoring.grades")
          ? "Grade A from"
          : null;
      const r = labelRow ? grid.findIndex((row) => text(row[0]) === labelRow) : at;
      bad(r >= 0 ? r : at, labelRow ? 1 : 0, issue.message);
    }
    // Fall back, piece by piece, to the defaults for what is invalid.
    const fixed = structuredClone(s);
    if (!Scoring.safeParse(fixed.scoring).success) fixed.scoring = structuredClone(DEFAULT_SETTINGS.scoring);
    const again = Settings.safeParse(fixed);
    return { settings: again.success ? again.data : structuredClone(DEFAULT_SETTINGS), problems };
  }
  return { settings: whole.data, problems };
}
