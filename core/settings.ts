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

/** One General row; its kind decides how the Value cell is read and what type its setter takes. */
interface Scalar<K extends string, V> {
  label: string;
  meaning: string;
  kind: K;
  get: (s: Settings) => V;
  set: (s: Settings, v: V) => void;
}
type ScalarDef =
  | Scalar<"number", number>
  | Scalar<"number?" | "int?", number | null>
  | Scalar<"bool", boolean>
  | Scalar<"text", string>
  | (Scalar<"enum", string> & { options: readonly string[] })
  | Scalar<"list", string[]>
  | Scalar<"date?", string | null>;

/** An enum row whose setter takes only its own options, so a settings field typed as a union needs no cast. */
const enumDef = <T extends string>(label: string, meaning: string, options: readonly T[], get: (s: Settings) => T, set: (s: Settings, v: T) => void): ScalarDef => ({
  label,
  meaning,
  kind: "enum",
  options,
  get,
  set: (s, v) => {
    const opt = options.find((o) => o === v);
    if (opt !== undefined) set(s, opt);
  },
});

const q = (key: keyof Quarterly, label: string, meaning: string): ScalarDef => ({
  label,
  meaning,
  kind: "number?",
  get: (s) => s.metrics.quarterly[key],
  set: (s, v) => {
    s.metrics.quarterly[key] = v;
  },
});

/** The General row of the push limit: the stuck rule's helper cells read its value (column B) live. */
export const PUSH_LIMIT_LABEL = "Stuck after close date pushed times";

const GENERAL: ScalarDef[] = [
  enumDef("Date order", "How to read dates like 03/04/2026: DMY (day first) or MDY (month first)", ["DMY", "MDY"], (s) => s.dateOrder, (s, v) => { s.dateOrder = v; }),
  { label: "Currency", meaning: "Currency code shown with money", kind: "text", get: (s) => s.currency, set: (s, v) => { s.currency = String(v); } },
  { label: "Won words", meaning: "Status or stage words that mean a deal was won (adopted stages with them are won stages)", kind: "list", get: (s) => s.outcomes.won, set: (s, v) => { s.outcomes.won = v; } },
  { label: "Lost words", meaning: "Status or stage words that mean a deal was lost", kind: "list", get: (s) => s.outcomes.lost, set: (s, v) => { s.outcomes.lost = v; } },
  { label: "Open words", meaning: "Status words that mean a deal is still open (its stage then decides)", kind: "list", get: (s) => s.outcomes.open, set: (s, v) => { s.outcomes.open = v; } },
  { label: "Need weight", meaning: "Share of the 0-100 lead score that need carries", kind: "number", get: (s) => s.scoring.weights.need, set: (s, v) => { s.scoring.weights.need = v; } },
  { label: "Budget weight", meaning: "Share of the lead score that budget carries", kind: "number", get: (s) => s.scoring.weights.budget, set: (s, v) => { s.scoring.weights.budget = v; } },
  { label: "Authority weight", meaning: "Share of the lead score that authority carries", kind: "number", get: (s) => s.scoring.weights.authority, set: (s, v) => { s.scoring.weights.authority = v; } },
  { label: "Grade A from", meaning: "Lowest score graded A", kind: "number", get: (s) => s.scoring.grades.A, set: (s, v) => { s.scoring.grades.A = v; } },
  { label: "Grade B from", meaning: "Lowest score graded B", kind: "number", get: (s) => s.scoring.grades.B, set: (s, v) => { s.scoring.grades.B = v; } },
  { label: "Grade C from", meaning: "Lowest score graded C; below is D", kind: "number", get: (s) => s.scoring.grades.C, set: (s, v) => { s.scoring.grades.C = v; } },
  { label: "Qualified from", meaning: "Score at which a lead counts as qualified", kind: "number", get: (s) => s.scoring.qualifiedAt, set: (s, v) => { s.scoring.qualifiedAt = v; } },
  enumDef("Win rate basis", "count (deals won ÷ closed) or value (value won ÷ value closed)", ["count", "value"], (s) => s.metrics.winRateBasis, (s, v) => { s.metrics.winRateBasis = v; }),
  enumDef("Cycle length over", "won (won deals only) or closed (won and lost deals)", ["won", "closed"], (s) => s.metrics.cycleBasis, (s, v) => { s.metrics.cycleBasis = v; }),
  { label: "Revenue target", meaning: "Revenue to win per target period (blank: no coverage figures)", kind: "number?", get: (s) => s.metrics.target, set: (s, v) => { s.metrics.target = v; } },
  enumDef("Target period", "month, quarter or year", ["month", "quarter", "year"], (s) => s.metrics.targetPeriod, (s, v) => { s.metrics.targetPeriod = v; }),
  { label: "Stuck without activity after days", meaning: "Open deals with no activity for this many days are stuck (blank: off)", kind: "int?", get: (s) => s.stuck.noActivityDays, set: (s, v) => { s.stuck.noActivityDays = v; } },
  { label: "Overdue close date is stuck", meaning: "yes: an open deal past its expected close date is stuck", kind: "bool", get: (s) => s.stuck.overdueCloseDate, set: (s, v) => { s.stuck.overdueCloseDate = v; } },
  { label: "Learn stuck thresholds", meaning: "yes: use learned factor × median days won deals spent in a stage, where history allows", kind: "bool", get: (s) => s.stuck.learned, set: (s, v) => { s.stuck.learned = v; } },
  { label: "Learned threshold factor", meaning: "Multiple of the median days in stage of won deals", kind: "number", get: (s) => s.stuck.learnedFactor, set: (s, v) => { s.stuck.learnedFactor = v; } },
  { label: "Cut loose after factor", meaning: "Past this multiple of the threshold, suggest cutting the deal loose", kind: "number", get: (s) => s.stuck.cutLooseFactor, set: (s, v) => { s.stuck.cutLooseFactor = v; } },
  { label: "Review changes since", meaning: "Date the review's What changed section starts from, as YYYY-MM-DD (blank: the previous review run)", kind: "date?", get: (s) => s.review.since, set: (s, v) => { s.review.since = v; } },
  { label: PUSH_LIMIT_LABEL, meaning: "An open deal whose expected close date moved later this many times is stuck (blank: off)", kind: "int?", get: (s) => s.review.pushLimit, set: (s, v) => { s.review.pushLimit = v; } },
  { label: "Win model minimum closed deals", meaning: "Closed deals needed before win likelihood is shown", kind: "number", get: (s) => s.winModel.minClosed, set: (s, v) => { s.winModel.minClosed = v; } },
  { label: "Win model holdout %", meaning: "Share of closed deals held out to measure the model", kind: "number", get: (s) => s.winModel.holdout, set: (s, v) => { s.winModel.holdout = v; } },
  ...(["AE", "BDR"] as const).flatMap((role): ScalarDef[] => [
    { label: `${role} capacity: open deals`, meaning: `Open deals one ${role} can work (blank: not compared)`, kind: "int?", get: (s) => s.capacity[role].openDeals, set: (s, v) => { s.capacity[role].openDeals = v; } },
    { label: `${role} capacity: activities per month`, meaning: `Activities one ${role} logs in 30 days (blank: not compared)`, kind: "int?", get: (s) => s.capacity[role].activities, set: (s, v) => { s.capacity[role].activities = v; } },
  ]),
  { label: "Under capacity below %", meaning: "A rep below this share of capacity is flagged under", kind: "number", get: (s) => s.capacity.underPercent, set: (s, v) => { s.capacity.underPercent = v; } },
  { label: "Segment minimum closed deals", meaning: "Where we win: segments with fewer closed deals are shown, not ranked", kind: "number", get: (s) => s.segments.minClosed, set: (s, v) => { s.segments.minClosed = v; } },
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

type SectionRow = { r: number; row: Cell[] };

/** The settings grid found by section, with the one place its problems are collected. */
interface TabReader {
  grid: Grid;
  /** Each section's title row, by its title in column A. */
  sections: Map<string, number>;
  bad(r: number, c: number, message: string): void;
  /** The item rows of a section: below its header row, up to the first blank row. */
  rowsOf(title: string): SectionRow[];
  /** A number cell: the number, null when blank and `optional`, undefined (reported) when it is not a number. */
  num(r: number, c: number, cell: Cell, what: string, optional: boolean): number | null | undefined;
}

const SECTION_TITLES = [SECTION_STAGES, SECTION_SCORING, SECTION_GENERAL, SECTION_COLUMNS, SECTION_ACTIVITY, SECTION_OWNERS];

function tabReader(grid: Grid, problems: Problem[]): TabReader {
  const bad = (r: number, c: number, message: string): void => {
    problems.push({ sheet: TAB_SETTINGS, cell: a1(r, c), code: "BAD_SETTING", message, severity: "error" });
  };
  const sections = new Map<string, number>();
  grid.forEach((row, r) => {
    const t = text(row[0]);
    if (SECTION_TITLES.includes(t) && !sections.has(t)) sections.set(t, r);
  });
  return {
    grid,
    sections,
    bad,
    rowsOf(title) {
      const start = sections.get(title);
      if (start === undefined) return [];
      const out: SectionRow[] = [];
      for (let r = start + 2; r < grid.length; r++) {
        const row = grid[r] ?? [];
        if (row.every((c) => text(c) === "")) break;
        out.push({ r, row });
      }
      return out;
    },
    num(r, c, cell, what, optional) {
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
    },
  };
}

const stageKind = (t: string): Stage["kind"] | null => StageKind.options.find((k) => k === t) ?? null;

function readStage(rd: TabReader, { r, row }: SectionRow): Stage {
  const name = text(row[0]);
  const kind = stageKind(text(row[1]).toLowerCase());
  if (kind === null) rd.bad(r, 1, `Kind "${text(row[1])}" of stage "${name}" must be open, won or lost.`);
  const probability = rd.num(r, 2, row[2], `Win probability of "${name}"`, false);
  if (probability !== undefined && probability !== null && (probability < 0 || probability > 100)) rd.bad(r, 2, `Win probability of "${name}" must be between 0 and 100.`);
  const stuckRaw = rd.num(r, 3, row[3], `Stuck after days of "${name}"`, true);
  if (stuckRaw !== undefined && stuckRaw !== null && (!Number.isInteger(stuckRaw) || stuckRaw <= 0))
    rd.bad(r, 3, `Stuck after days of "${name}" must be a whole number above 0, or blank for never.`);
  const required: Field[] = [];
  for (const label of splitList(text(row[4]))) {
    const f = fieldByLabel.get(label.toLowerCase());
    if (f) required.push(f);
    else rd.bad(r, 4, `Required field "${label}" of stage "${name}" is not a field pipesheet knows; use one of: ${FIELDS.map(fieldLabel).join(", ")}.`);
  }
  return {
    name,
    kind: kind ?? "open",
    probability: typeof probability === "number" ? probability : 0,
    stuckDays: typeof stuckRaw === "number" && Number.isInteger(stuckRaw) && stuckRaw > 0 ? stuckRaw : null,
    required,
    checklist: splitList(text(row[5])),
    aliases: splitList(text(row[6])),
  };
}

function readStages(rd: TabReader, s: Settings): void {
  const stages = rd.rowsOf(SECTION_STAGES).map((item) => readStage(rd, item));
  const parsed = Settings.shape.stages.safeParse(stages);
  if (parsed.success) s.stages = parsed.data;
  else {
    const at = rd.sections.get(SECTION_STAGES) ?? 0;
    for (const issue of parsed.error.issues) {
      const idx = typeof issue.path[0] === "number" ? issue.path[0] : -1;
      rd.bad(idx >= 0 ? at + 2 + idx : at, 0, `Stages: ${issue.message}`);
    }
  }
}

function readAnswers(rd: TabReader, s: Settings): void {
  const list: Answer[] = [];
  for (const { r, row } of rd.rowsOf(SECTION_SCORING)) {
    const dimension = DIMENSIONS.find((d) => d === text(row[0]).toLowerCase());
    const label = text(row[1]);
    const points = rd.num(r, 2, row[2], `Points of "${label}"`, false);
    if (dimension === undefined) {
      rd.bad(r, 0, `Dimension "${text(row[0])}" must be Need, Budget or Authority.`);
      continue;
    }
    if (label === "") {
      rd.bad(r, 1, "Answer is empty: enter the answer as your team writes it.");
      continue;
    }
    if (typeof points !== "number" || points < 0 || points > 3) {
      if (typeof points === "number") rd.bad(r, 2, `Points of "${label}" must be between 0 and 3.`);
      continue;
    }
    list.push({ dimension, label, points, synonyms: splitList(text(row[3])) });
  }
  if (list.length > 0) s.scoring.answers = list;
}

/** Reads one General row's Value cell by its kind, and sets it when it is valid. */
function readScalar(rd: TabReader, def: ScalarDef, r: number, cell: Cell, s: Settings): void {
  const t = text(cell);
  switch (def.kind) {
    case "number": {
      const n = rd.num(r, 1, cell, def.label, false);
      if (typeof n === "number") def.set(s, n);
      break;
    }
    case "number?":
    case "int?": {
      const n = rd.num(r, 1, cell, def.label, true);
      if (n === undefined) break;
      if (def.kind === "int?" && n !== null && (!Number.isInteger(n) || n <= 0)) rd.bad(r, 1, `${def.label} must be a whole number above 0, or blank.`);
      else def.set(s, n);
      break;
    }
    case "bool": {
      const v = t.toLowerCase();
      if (["yes", "true", "y", "1", "on"].includes(v)) def.set(s, true);
      else if (["no", "false", "n", "0", "off", ""].includes(v)) def.set(s, false);
      else rd.bad(r, 1, `${def.label} must be yes or no.`);
      break;
    }
    case "enum": {
      const opt = def.options.find((o) => o.toLowerCase() === t.toLowerCase());
      if (opt) def.set(s, opt);
      else rd.bad(r, 1, `${def.label} "${t}" must be one of: ${def.options.join(", ")}.`);
      break;
    }
    case "date?": {
      // The cell may hold a date (Sheets), a serial number (Excel) or text.
      const day = cell instanceof Date ? dayFromDate(cell) : typeof cell === "number" ? dayFromExcelSerial(cell) : t === "" ? null : dayFromIso(t);
      if (t !== "" && day === null) rd.bad(r, 1, `${def.label} "${t}" is not a date: enter it as YYYY-MM-DD, or leave it blank.`);
      else def.set(s, day === null ? null : isoFromDay(day));
      break;
    }
    case "text":
      if (t === "") rd.bad(r, 1, `${def.label} is empty.`);
      else def.set(s, t);
      break;
    case "list":
      def.set(s, splitList(t));
      break;
  }
}

function readGeneral(rd: TabReader, s: Settings): void {
  const byLabel = new Map(GENERAL.map((d) => [d.label.toLowerCase(), d]));
  for (const { r, row } of rd.rowsOf(SECTION_GENERAL)) {
    const label = text(row[0]);
    const def = byLabel.get(label.toLowerCase());
    if (def) readScalar(rd, def, r, row[1], s);
    else rd.bad(r, 0, `Unknown setting "${label}": check the spelling, or delete the row.`);
  }
}

/** The Columns, Activity types and Owners sections: small two-column lists. */
function readLists(rd: TabReader, s: Settings): void {
  for (const { r, row } of rd.rowsOf(SECTION_COLUMNS)) {
    const label = text(row[0]);
    const f = fieldByLabel.get(label.toLowerCase());
    if (!f) {
      rd.bad(r, 0, `Unknown field "${label}": use one of ${FIELDS.map(fieldLabel).join(", ")}.`);
      continue;
    }
    const header = text(row[1]);
    if (header !== "") s.columns[f] = header;
  }

  // Activity types: the team's own words per type.
  for (const { r, row } of rd.rowsOf(SECTION_ACTIVITY)) {
    const t = ACTIVITY_KINDS.find((k) => k === text(row[0]).toLowerCase());
    if (!t) {
      rd.bad(r, 0, `Activity type "${text(row[0])}" must be call, email, meeting or note.`);
      continue;
    }
    s.activityTypes[t] = splitList(text(row[1]));
  }

  // Owners: each rep's role, for capacity.
  for (const { r, row } of rd.rowsOf(SECTION_OWNERS)) {
    const owner = text(row[0]);
    const role = Role.options.find((o) => o.toLowerCase() === text(row[1]).toLowerCase());
    if (owner === "") {
      rd.bad(r, 0, "Owner is empty: enter the rep as the deals sheet's Owner column writes them.");
      continue;
    }
    if (!role) {
      rd.bad(r, 1, `Role "${text(row[1])}" of ${owner} must be AE or BDR.`);
      continue;
    }
    s.capacity.owners.push({ owner, role });
  }
}

/** Whole-object rules (weights add to 100, grades fall), reported at the General section; what is invalid falls back to the defaults. */
function checkWhole(rd: TabReader, s: Settings): Settings {
  const whole = Settings.safeParse(s);
  if (whole.success) return whole.data;
  const at = rd.sections.get(SECTION_GENERAL) ?? 0;
  for (const issue of whole.error.issues) {
    const path = issue.path.join(".");
    const labelRow = path.startsWith("scoring.weights") ? "Need weight" : path.startsWith("scoring.grades") ? "Grade A from" : null;
    const r = labelRow ? rd.grid.findIndex((row) => text(row[0]) === labelRow) : at;
    rd.bad(r >= 0 ? r : at, labelRow ? 1 : 0, issue.message);
  }
  // Fall back, piece by piece, to the defaults for what is invalid.
  const fixed = structuredClone(s);
  if (!Scoring.safeParse(fixed.scoring).success) fixed.scoring = structuredClone(DEFAULT_SETTINGS.scoring);
  const again = Settings.safeParse(fixed);
  return again.success ? again.data : structuredClone(DEFAULT_SETTINGS);
}

/**
 * Reads the settings tab. Never throws: a bad cell is reported by its address and the default
 * for that item is kept, so one typo does not stop the whole pipeline.
 */
export function settingsFromGrid(grid: Grid): SettingsResult {
  const problems: Problem[] = [];
  const rd = tabReader(grid, problems);
  const s: Settings = structuredClone(DEFAULT_SETTINGS);
  s.columns = {};
  if (rd.sections.has(SECTION_STAGES)) readStages(rd, s);
  if (rd.sections.has(SECTION_SCORING)) readAnswers(rd, s);
  if (rd.sections.has(SECTION_GENERAL)) readGeneral(rd, s);
  readLists(rd, s);
  const settings = checkWhole(rd, s);
  return { settings, problems };
}
