// Finds the header row and maps the team's own headers (any spelling, any CRM export) onto pipesheet's fields.
import { a1 } from "./a1.js";
import { at } from "./checked.js";
import { columnDays, compareDates, profileColumn, sampleRows, type ColumnProfile, type DatePairing } from "./infer-values.js";
import { inferDateOrders } from "./parse.js";
import { fieldLabel } from "./settings.js";
import { editDistance, normalize } from "./stages.js";
import { FIELDS, type Cell, type ColumnMap, type Field, type Grid, type OwnedKey, type Problem } from "./types.js";

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
  pushCount: "Close date pushes",
  pushLimit: "Stuck after (pushes)",
};

/** Owned columns pipesheet computes. The others in OWNED_HEADERS are input the team fills, so they are mapped as fields. */
export const OUTPUT_KEYS = ["score", "grade", "reasons", "winLikelihood", "daysInStage", "stuck", "nextTask", "stuckLimit", "pushCount", "pushLimit"] as const satisfies readonly OwnedKey[];

/** Fields reported as missing when no column holds them. */
export const IMPORTANT_FIELDS = ["name", "stage", "value", "owner", "createdDate", "closeDate", "need", "budget", "authority"] as const satisfies readonly Field[];

/** How far down the sheet the header row may be (titles and notes above it). */
export const HEADER_SCAN_ROWS = 30;

export type { ColumnMap } from "./types.js";

// Known headers per field, as people and CRM exports (HubSpot, Pipedrive, Salesforce) write them.
// Compared after normalize(), so case, spacing and punctuation do not matter.
export const HEADER_ALIASES: Record<Field, readonly string[]> = {
  dealId: ["Deal ID", "ID", "Record ID", "Deal - ID", "Opportunity ID", "Deal record ID", "Deal number", "Deal no", "opportunity_id", "deal_id", "Item ID"],
  name: ["Deal", "Deal name", "Name", "Deal - Title", "Deal title", "Title", "Opportunity", "Opportunity Name", "Opportunity title", "Topic", "Subject", "Item", "Item Name", "Deal Title", "Potential Name"],
  company: ["Company", "Company name", "Account", "Account Name", "Deal - Organization", "Organization", "Organisation", "Organization - Name", "Client", "Customer", "Associated company"],
  stage: ["Stage", "Deal Stage", "Deal - Stage", "Pipeline stage", "Sales stage", "Opportunity stage", "Phase", "StageName", "Pipeline Phase", "Sales Phase", "Deal stage name"],
  status: ["Status", "Deal - Status", "Deal status", "Opportunity status", "Won/Lost", "IsWon", "Is won", "Active", "IsActive", "Archived"],
  value: ["Value", "Deal value", "Amount", "Deal - Value", "Deal amount", "Opportunity amount", "Deal size", "Revenue", "Contract value", "Est. Revenue", "Estimated Revenue", "Deal Value", "Opportunity value"],
  owner: ["Owner", "Deal owner", "Deal - Owner", "Opportunity Owner", "Rep", "Sales rep", "Salesperson", "Sales person", "Account executive", "AE", "Assigned to", "OwnerId", "Owner ID", "Deal owner name", "Sales agent", "User", "Assigned user"],
  createdDate: ["Created", "Created on", "Created date", "Create Date", "Created at", "Date created", "Creation date", "Deal - Deal created", "Deal created", "Deal - Add time", "Date added", "Open date", "Opened", "Created time", "Add time", "Engage date"],
  closeDate: ["Close date", "Closing date", "Expected close", "Expected close date", "Deal - Expected close date", "Close by", "Target close date", "Est. Close Date", "Estimated close date", "Expected closing", "Expected closing date", "Estimated close"],
  closedDate: ["Actual close date", "Actual Close Date", "Closed date", "Date closed", "Closed on", "Deal closed on", "Won time", "Deal - Won time", "Won date", "Date won", "Closed at", "Close time"],
  lostDate: ["Lost time", "Deal - Lost time", "Lost date", "Date lost", "Lost on"],
  stageEntered: ["Stage entered", "Date entered stage", "Entered stage", "Last stage change", "Deal - Last stage change", "Last Stage Change Date", "Stage change date", "In stage since"],
  lastActivity: ["Last activity", "Last activity date", "Last activity time", "Deal - Last activity date", "Last contact", "Last contacted", "Last contact date", "Last touch"],
  nextStep: ["Next step", "Next action", "Next activity", "Deal - Next activity subject", "Next activity subject"],
  nextStepDate: ["Next step date", "Next activity date", "Deal - Next activity date", "Next action date", "Follow up", "Follow-up date", "Follow up date"],
  firstContact: ["First contact", "First contact date", "First contacted", "First response", "First response date", "First touch", "Date of first contact"],
  need: ["Need", "Needs", "Pain", "Need level"],
  budget: ["Budget", "Budget status", "Has budget"],
  authority: ["Authority", "Decision maker", "Authority level"],
  lossReason: ["Loss reason", "Lost reason", "Deal - Lost reason", "Reason lost", "Closed lost reason", "Why lost"],
  probability: ["Probability", "Probability (%)", "Deal - Probability", "Deal probability", "Win probability", "Close probability", "Probability %"],
  source: ["Source", "Lead source", "Deal source", "Original source", "Deal - Source", "Channel"],
  product: ["Product", "Products", "Product line", "Deal - Product"],
  industry: ["Industry", "Sector", "Vertical", "Account industry"],
};

// Known CRM headers that hold none of our fields: recognised, so never guessed as something they are not.
const IGNORED = [
  "Pipeline", "Deal - Pipeline", "Deal Type", "Type", "Currency", "Deal - Currency", "Weighted value", "Deal - Weighted value",
  "Weighted amount", "Forecast category", "ForecastCategoryName", "Forecast category name", "Fiscal period", "Fiscal", "FiscalQuarter", "FiscalYear", "Age",
  "Created by", "CreatedById", "Deal - Creator", "IsClosed", "Is closed", "IsDeleted", "IsPrivate", "LastModifiedById", "SystemModstamp", "Pricebook2Id", "CampaignId",
  "LastViewedDate", "LastReferencedDate", "HasOpenActivity", "HasOverdueTask", "HasOpportunityLineItem", "TotalOpportunityQuantity",
  "Last modified by", "Last modified date", "Deal - Update time", "Deal - Contact person", "Contact", "Contact name",
  "Email", "Phone", "Notes", "Description", "Deal description", "Deal - Visible to",
];

// Words in a header that point at a field, with a weight: English as the CRMs export, then German, French, Spanish,
// Italian, Dutch and Portuguese. Compared on the header's words (snake_case, camelCase, "Deal - X" and
// "Opportunity.X" split), a phrase matching consecutive words; a phrase of 5+ letters also inside a compound word.
const HINTS: Record<Field, readonly (readonly [string, number])[]> = {
  dealId: [["deal id", 8], ["opportunity id", 8], ["record id", 8], ["deal number", 7], ["deal no", 6], ["id", 5]],
  name: [
    ["deal name", 8], ["deal title", 8], ["opportunity name", 8], ["topic", 7], ["opportunity", 5], ["title", 5], ["subject", 5], ["name", 4], ["deal", 4],
    ["project", 4], ["titel", 5], ["bezeichnung", 4], ["titre", 5], ["nom", 3], ["titulo", 5], ["nombre", 4], ["nome", 4], ["titolo", 5], ["naam", 4], ["opportunite", 5],
    ["oportunidad", 5], ["opportunita", 5], ["oportunidade", 5], ["verkaufschance", 6], ["verkoopkans", 6],
  ],
  company: [
    ["account name", 8], ["company", 7], ["organization", 7], ["organisation", 7], ["account", 6], ["client", 6], ["customer", 6], ["org", 4],
    ["firma", 7], ["unternehmen", 7], ["kunde", 6], ["entreprise", 7], ["societe", 7], ["empresa", 7], ["cliente", 6], ["azienda", 7], ["bedrijf", 7], ["klant", 6], ["organizacao", 7],
  ],
  stage: [
    ["deal stage", 8], ["pipeline stage", 8], ["sales stage", 8], ["stage name", 8], ["pipeline phase", 8], ["stage", 7], ["phase", 6],
    ["verkaufsphase", 8], ["phase", 6], ["stufe", 5], ["etape", 7], ["etapa", 7], ["fase", 7], ["stadium", 6], ["fase da venda", 8],
  ],
  status: [["is won", 8], ["won lost", 7], ["status", 7], ["outcome", 6], ["result", 5], ["state", 4], ["statut", 7], ["estado", 6], ["stato", 6], ["ergebnis", 5], ["resultado", 5], ["esito", 5]],
  value: [
    ["deal value", 8], ["deal size", 7], ["contract value", 7], ["amount", 7], ["value", 7], ["revenue", 6], ["price", 3], ["premium", 3], ["worth", 4],
    ["betrag", 7], ["wert", 6], ["umsatz", 6], ["montant", 7], ["valeur", 6], ["importe", 7], ["monto", 7], ["valor", 6], ["importo", 7], ["valore", 6],
    ["bedrag", 7], ["waarde", 6], ["omzet", 6], ["montante", 7], ["receita", 6], ["volumen", 4], ["volume", 4],
  ],
  owner: [
    ["deal owner", 8], ["sales agent", 8], ["account executive", 7], ["account manager", 7], ["salesperson", 7], ["sales person", 7], ["owner", 7], ["rep", 6],
    ["agent", 6], ["assigned", 6], ["responsible", 6], ["seller", 6], ["executive", 5], ["exe", 4], ["manager", 4], ["user", 3],
    ["vertriebsmitarbeiter", 7], ["verantwortlich", 6], ["besitzer", 6], ["inhaber", 5], ["verkaufer", 6], ["responsable", 6], ["proprietaire", 6], ["commercial", 5],
    ["vendedor", 6], ["propietario", 6], ["responsabile", 6], ["venditore", 6], ["proprietario", 6], ["eigenaar", 6], ["verkoper", 6], ["accountmanager", 7],
  ],
  createdDate: [
    ["create date", 8], ["created", 7], ["creation", 7], ["date added", 7], ["add time", 7], ["open date", 7], ["opened", 6], ["engage", 6], ["engaged", 6], ["added", 5],
    ["start date", 5], ["erstellt", 7], ["erstellungsdatum", 8], ["angelegt", 6], ["cree", 6], ["creado", 7], ["creacion", 7], ["creato", 7], ["creazione", 7],
    ["aangemaakt", 7], ["criado", 7], ["criacao", 7],
  ],
  closeDate: [
    ["close date", 8], ["closing date", 8], ["expected close", 8], ["estimated close", 8], ["est close", 8], ["target close", 7], ["close by", 6], ["close", 4], ["closing", 4],
    ["deadline", 5], ["abschlussdatum", 8], ["abschluss", 5], ["cloture", 6], ["fecha de cierre", 8], ["cierre", 6], ["chiusura", 6], ["sluitingsdatum", 8], ["fechamento", 6], ["fecho", 5],
  ],
  closedDate: [
    ["actual close", 9], ["closed date", 9], ["date closed", 9], ["closed on", 8], ["won time", 9], ["won date", 9], ["date won", 9], ["closed at", 8], ["close time", 6],
    ["tatsachliches abschlussdatum", 9], ["gewonnen am", 9], ["date de cloture reelle", 9], ["fecha de cierre real", 9], ["data di chiusura effettiva", 9], ["gesloten op", 8], ["data de fechamento real", 9],
  ],
  lostDate: [["lost time", 9], ["lost date", 9], ["date lost", 9], ["lost on", 8], ["verloren am", 9], ["perdu le", 9]],
  stageEntered: [["stage entered", 8], ["entered stage", 8], ["stage change", 7], ["stage since", 7], ["stage date", 6], ["date stage changed", 8], ["in stage since", 8]],
  lastActivity: [
    ["last activity", 8], ["last contact", 7], ["last touch", 7], ["last call", 6], ["last email", 6], ["last meeting", 6], ["last interaction", 7],
    ["letzte aktivitat", 8], ["derniere activite", 8], ["ultima actividad", 8], ["ultima attivita", 8], ["laatste activiteit", 8], ["ultima atividade", 8],
  ],
  nextStep: [["next step", 8], ["next action", 7], ["next activity", 7], ["nachster schritt", 8], ["prochaine etape", 8], ["siguiente paso", 8], ["prossimo passo", 8], ["volgende stap", 8], ["proximo passo", 8]],
  nextStepDate: [["next step date", 9], ["next activity date", 9], ["next action date", 9], ["follow up", 7], ["next contact", 7], ["next meeting", 7], ["wiedervorlage", 7]],
  firstContact: [["first contact", 8], ["first response", 8], ["first touch", 7], ["first call", 6], ["first meeting", 6], ["erstkontakt", 8], ["premier contact", 8], ["primer contacto", 8]],
  need: [["need", 7], ["pain", 6], ["bedarf", 7], ["besoin", 7], ["necesidad", 7], ["bisogno", 7], ["behoefte", 7], ["necessidade", 7]],
  budget: [["budget", 7], ["presupuesto", 7], ["orcamento", 7]],
  authority: [["authority", 7], ["decision maker", 7], ["entscheider", 7], ["decideur", 7], ["decisor", 7], ["beslisser", 7]],
  lossReason: [
    ["loss reason", 8], ["lost reason", 8], ["reason lost", 8], ["reason for loss", 8], ["why lost", 7], ["verlustgrund", 8], ["raison de la perte", 8],
    ["motivo de perdida", 8], ["motivo perdita", 8], ["reden verlies", 8], ["motivo da perda", 8],
  ],
  probability: [["probability", 7], ["likelihood", 6], ["chance", 5], ["wahrscheinlichkeit", 7], ["probabilite", 7], ["probabilidad", 7], ["probabilita", 7], ["probabilidade", 7], ["kans", 4]],
  source: [["lead source", 8], ["source", 6], ["channel", 5], ["campaign", 4], ["referral", 4], ["quelle", 6], ["herkunft", 6], ["origine", 6], ["fuente", 6], ["origen", 6], ["fonte", 6], ["bron", 5], ["origem", 6]],
  product: [["product", 6], ["sku", 4], ["produkt", 6], ["produit", 6], ["producto", 6], ["prodotto", 6], ["produto", 6]],
  industry: [["industry", 7], ["sector", 6], ["vertical", 6], ["branche", 6], ["industrie", 6], ["secteur", 6], ["settore", 6]],
};

const MODIFIER_START = new Set(["in", "of", "for", "per"]);
/** Words that make a header about a person: the owner, never the company or the deal's name. */
const PEOPLE = new Set(["owner", "rep", "agent", "salesperson", "assigned", "executive", "exe", "manager", "responsible", "seller", "user", "person", "vendedor", "verkaufer", "commercial"]);
/** Words that make a header an identifier: never a name. */
const ID_WORDS = new Set(["id", "ids", "uuid", "guid", "key", "code", "nr", "no", "number"]);
/** Entities whose id is the deal's own. */
const DEAL_WORDS = new Set(["deal", "opportunity", "opp", "record", "item", "lead"]);
/** Money words ranked below the deal's value: a price, a premium, an expected or weighted amount. */
const WEAK_MONEY = new Set(["expected", "est", "estimated", "projected", "forecast", "potential"]);
const WEIGHTED = new Set(["weighted", "gewichtet", "pondere", "ponderado", "ponderato", "gewogen"]);

/** A header's words: "Opportunity.CloseDate" -> ["opportunity", "close", "date"], "close_value" -> ["close", "value"]. */
export function headerWords(header: string): string[] {
  return header
    .replace(/__c$/i, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

interface HeaderHit {
  score: number;
  /** The matched phrase, for the evidence. */
  phrase: string;
}

interface Phrase {
  words: string[];
  joined: string;
  w: number;
}

/** Each field's hint phrases split into words, in FIELDS order. */
const PHRASES = new Map(FIELDS.map((f): [Field, Phrase[]] => [f, HINTS[f].map(([p, w]) => ({ words: p.split(" "), joined: p.replace(/ /g, ""), w }))]));

/** How strongly a header's words point at each field; the phrase that ends on the header's last word (its head noun) counts a little more. */
export function headerHits(header: string): Map<Field, HeaderHit> {
  const words = headerWords(header);
  const joined = words.join("");
  const hits = new Map<Field, HeaderHit>();
  if (words.length === 0) return hits;
  const people = words.some((w) => PEOPLE.has(w));
  const idLike = words.some((w) => ID_WORDS.has(w));
  const others = words.filter((w) => !ID_WORDS.has(w));
  // "Amount in company currency" is an amount: words after "in", "of", "for" only qualify the head.
  const prep = words.findIndex((w, i) => i > 0 && MODIFIER_START.has(w));
  for (const [f, phrases] of PHRASES) {
    let best: HeaderHit | null = null;
    for (const p of phrases) {
      let end = -1;
      let start = -1;
      for (let i = 0; i + p.words.length <= words.length; i++)
        if (p.words.every((w, k) => words[i + k] === w)) {
          start = i;
          end = i + p.words.length - 1;
        }
      const inside = end < 0 && p.joined.length >= 5 && joined.includes(p.joined);
      if (end < 0 && !inside) continue;
      const score = p.w + (end === words.length - 1 && (prep < 0 || start < prep) ? 1 : 0) - (prep > 0 && start > prep ? 2 : 0);
      if (!best || score > best.score) best = { score, phrase: p.words.join(" ") };
    }
    if (best) hits.set(f, best);
  }
  if (people || idLike) {
    hits.delete("company");
    hits.delete("name");
  }
  // "AccountId", "Owner ID", "Account_Exe_Id": the id of something else, not of the deal.
  if (idLike && others.some((w) => !DEAL_WORDS.has(w))) hits.delete("dealId");
  const value = hits.get("value");
  if (value) {
    if (words.some((w) => WEIGHTED.has(w))) hits.delete("value");
    else if (words.some((w) => WEAK_MONEY.has(w))) value.score -= 2;
  }
  return hits;
}

const DATE_FIELD_SET = new Set<Field>(["createdDate", "closeDate", "stageEntered", "lastActivity", "nextStepDate", "firstContact"]);
const TEXT_FIELD_SET = new Set<Field>(["name", "company", "stage", "owner", "source", "product", "industry", "lossReason", "nextStep"]);
/** Enough values to let them overrule a header. */
const MIN_VALUES = 3;

const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** What the values say about a field for a column: a bonus and its evidence, or null when they rule it out. */
function valueFit(f: Field, p: ColumnProfile): { bonus: number; why: string } | null {
  if (p.filled < MIN_VALUES) return { bonus: 0, why: "" };
  if (DATE_FIELD_SET.has(f)) return p.dates >= 0.6 ? { bonus: 2, why: `${pct(p.dates)} dates` } : null;
  if (f === "value") return p.numbers >= 0.6 && p.dates < 0.3 ? { bonus: 2, why: `${pct(p.numbers)} amounts` } : null;
  if (f === "probability") return p.numbers >= 0.6 && p.percents >= 0.9 ? { bonus: 1, why: `${pct(p.percents)} numbers from 0 to 100` } : null;
  if (TEXT_FIELD_SET.has(f)) {
    if (p.dates >= 0.8 || (p.numbers >= 0.9 && f !== "owner")) return null;
    if ((f === "name" || f === "company") && p.codes >= 0.8) return null;
    if (f === "stage" && p.distinct <= 0.2 && p.filled >= 10) return { bonus: 1, why: `${pct(p.texts)} text, few distinct values` };
    if (f === "owner" && p.people >= 0.6) return { bonus: 1, why: `${pct(p.people)} people's names` };
    return { bonus: 0, why: "" };
  }
  if (f === "dealId") return p.distinct >= 0.95 ? { bonus: 1, why: "every value distinct" } : p.distinct < 0.5 ? null : { bonus: 0, why: "" };
  return { bonus: 0, why: "" };
}

/**
 * The assignment of columns to fields with the best total score, one column per field and one field per
 * column (the Hungarian method on the candidates, padded square); `score[i][j]` 0 means "not a candidate".
 */
function bestAssignment(score: number[][], cols: number): number[] {
  const rows = score.length;
  const n = Math.max(rows, cols);
  const BIG = 1e6;
  const cost = (i: number, j: number): number => (i < rows && j < cols ? BIG - (score[i]?.[j] ?? 0) : BIG);
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = at(p, j0);
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - at(u, i0) - at(v, j);
        if (cur < at(minv, j)) {
          minv[j] = cur;
          way[j] = j0;
        }
        const least = at(minv, j);
        if (least < delta) {
          delta = least;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          const pj = at(p, j);
          u[pj] = at(u, pj) + delta;
          v[j] = at(v, j) - delta;
        } else minv[j] = at(minv, j) - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = at(way, j0);
      p[j0] = at(p, j1);
      j0 = j1;
    } while (j0 !== 0);
  }
  const match = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = at(p, j) - 1;
    if (i >= 0 && i < rows && j - 1 < cols && (score[i]?.[j - 1] ?? 0) > 0) match[i] = j - 1;
  }
  return match;
}

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
  closedDate: "the date the deal was actually won or lost",
  lostDate: "the date the deal was lost",
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

/** The field whose known header is a near spelling of `key` ("ammount", "salesstgae"), when exactly one is that close. */
function nearField(key: string): Field | null {
  if (key.length < FUZZY_MIN_LENGTH) return null;
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
  return bestField !== null && !tie ? bestField : null;
}

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

/** The field a header's words name clearly ("Verkaufschance", "Erstellt am"), for finding the header row. */
function strongHit(header: string): Field | undefined {
  if (header.length > 60) return undefined;
  let best: Field | undefined;
  let score = 5;
  for (const [f, h] of headerHits(header)) if (h.score > score) [best, score] = [f, h.score];
  return best;
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
      const f = overrideKeys.get(key) ?? ALIAS_FIELD.get(key) ?? strongHit(cell);
      if (f) found.add(f);
    }
    if (found.size > bestCount && (found.has("stage") || found.has("name"))) {
      best = r;
      bestCount = found.size;
    }
  }
  return best;
}

/** Rows compared when date columns are told apart by their values. */
const PAIR_SAMPLE = 2000;
/** Share of the rows holding both dates in which a later column is on or after the other: one odd row is no veto. */
const LATER_SHARE = 0.95;
/** Header words that make the latest date the actual close, not the expected one. */
const CLOSED_WORDS = new Set(["won", "closed", "gewonnen", "geschlossen", "gagne", "ferme", "ganado", "cerrado", "vinto", "chiuso", "gesloten", "ganho", "fechado"]);

/**
 * The created and close dates among date columns no header named, from how their dates fall row by row
 * (see mapColumns step 6): field, column and the evidence in words, for each one found.
 */
function datesByOrder(
  grid: Grid,
  headerRow: number,
  width: number,
  headers: readonly string[],
  keys: readonly string[],
  taken: ReadonlySet<number>,
  fields: Partial<Record<Field, number>>,
  profileOf: (c: number) => ColumnProfile,
): [Field, number, string][] {
  const openCreated = fields.createdDate === undefined;
  const openClose = fields.closeDate === undefined;
  if (!openCreated && !openClose) return [];
  const loose: number[] = [];
  for (let c = 0; c < width; c++) {
    if (taken.has(c) || keys[c] === "") continue;
    const p = profileOf(c);
    if (p.filled >= MIN_VALUES && p.dates >= 0.6) loose.push(c);
  }
  const anchors = [fields.createdDate, fields.closeDate].filter((c): c is number => c !== undefined);
  if (loose.length === 0 || loose.length + anchors.length < 2) return [];
  const cols = [...loose, ...anchors];
  const first = headerRow + 1;
  const orders = new Map(inferDateOrders(grid, first, grid.length, cols, "MDY").map((d) => [d.column, d.order]));
  const rows = sampleRows(grid, first, PAIR_SAMPLE);
  // Each compared column with its dates by row, the loose ones first (as in cols).
  const dated = cols.map((c) => ({ c, days: columnDays(grid, rows, c, orders.get(c) ?? "MDY") }));
  // c against every other column: on or after it (later) or on or before it (earlier) in LATER_SHARE of the rows.
  const outer = ({ c, days }: { c: number; days: Map<number, number> }, later: boolean): { text: string; strict: number } | null => {
    const parts: string[] = [];
    let strict = 0;
    for (const { c: x, days: other } of dated) {
      if (x === c) continue;
      const p: DatePairing = later ? compareDates(days, other) : compareDates(other, days);
      if (p.compared < MIN_VALUES || p.atOrAfter < LATER_SHARE * p.compared) return null;
      strict += p.after;
      const rowsText = `${p.compared.toLocaleString("en")} row${p.compared === 1 ? "" : "s"}`;
      parts.push(p.atOrAfter === p.compared ? `never ${later ? "before" : "after"} ${headers[x]} in ${rowsText}` : `on or ${later ? "after" : "before"} ${headers[x]} in ${pct(p.atOrAfter / p.compared)} of ${rowsText}`);
    }
    return strict > 0 ? { text: parts.join("; "), strict } : null;
  };
  const pick = (later: boolean, skip: number): { c: number; text: string } | null => {
    let best: { c: number; text: string; strict: number } | null = null;
    for (const d of dated.slice(0, loose.length)) {
      if (d.c === skip) continue;
      const o = outer(d, later);
      if (o && (!best || o.strict > best.strict)) best = { c: d.c, ...o };
    }
    return best;
  };
  const out: [Field, number, string][] = [];
  let latest = -1;
  if (openClose) {
    const l = pick(true, -1);
    if (l) {
      latest = l.c;
      const closed = fields.closedDate === undefined && headerWords(headers[l.c] ?? "").some((w) => CLOSED_WORDS.has(w));
      out.push([closed ? "closedDate" : "closeDate", l.c, l.text]);
    }
  }
  if (openCreated) {
    const e = pick(false, latest);
    if (e) out.push(["createdDate", e.c, e.text]);
  }
  return out;
}

/** One column of the header row: its index, its text and its normalized key. */
interface HeaderColumn {
  c: number;
  header: string;
  key: string;
}

/** What mapColumns builds up as it reads the header row: the map's parts, and which columns are spoken for. */
interface Mapping {
  readonly grid: Grid;
  readonly sheet: string;
  readonly headerRow: number;
  /** The header row up to its last non-empty cell. */
  readonly columns: readonly HeaderColumn[];
  readonly headers: string[];
  readonly keys: readonly string[];
  readonly fields: Partial<Record<Field, number>>;
  readonly owned: Partial<Record<OwnedKey, number>>;
  readonly guessed: Field[];
  readonly evidence: Partial<Record<Field, string>>;
  readonly problems: Problem[];
  /** Columns that already have a meaning (a field, an output, a known header, a duplicate): never guessed. */
  readonly taken: Set<number>;
  /** Fields that Pipeline Settings › Columns placed. */
  readonly overridden: Set<Field>;
  /** A column's values, profiled once over a sample of the rows below the header. */
  readonly profileOf: (c: number) => ColumnProfile;
}

/** The overrides by normalized header text, the first field to name a text keeping it: they help find the header row. */
function overrideKeyMap(overrides: Partial<Record<Field, string>>): Map<string, Field> {
  const overrideKeys = new Map<string, Field>();
  for (const f of FIELDS) {
    const text = overrides[f];
    if (text !== undefined && normalize(text) !== "" && !overrideKeys.has(normalize(text))) overrideKeys.set(normalize(text), f);
  }
  return overrideKeys;
}

/** The header row's cells up to its last non-empty one, as trimmed text with its key. */
function headerColumns(row: readonly Cell[]): HeaderColumn[] {
  let width = row.length;
  while (width > 0 && cellText(row[width - 1]) === "") width--;
  const columns: HeaderColumn[] = [];
  for (let c = 0; c < width; c++) {
    const header = cellText(row[c]);
    columns.push({ c, header, key: normalize(header) });
  }
  return columns;
}

/** An empty mapping of the header row at `headerRow`: nothing placed yet. */
function newMapping(grid: Grid, sheet: string, headerRow: number): Mapping {
  const columns = headerColumns(grid[headerRow] ?? []);
  const sample = sampleRows(grid, headerRow + 1);
  const profiles = new Map<number, ColumnProfile>();
  const profileOf = (c: number): ColumnProfile => {
    let p = profiles.get(c);
    if (!p) profiles.set(c, (p = profileColumn(grid, sample, c)));
    return p;
  };
  const headers = columns.map((x) => x.header);
  const keys = columns.map((x) => x.key);
  return { grid, sheet, headerRow, columns, headers, keys, fields: {}, owned: {}, guessed: [], evidence: {}, problems: [], taken: new Set(), overridden: new Set(), profileOf };
}

const cellAt = (m: Mapping, c: number): string => a1(m.headerRow, c);

function report(m: Mapping, cell: string, code: Problem["code"], severity: Problem["severity"], message: string): void {
  m.problems.push({ sheet: m.sheet, cell, code, severity, message });
}

/** Reports column `c` as a second `what` beside `first`, which is the one used. */
function reportDuplicate(m: Mapping, what: string, first: number, c: number): void {
  const cell = (x: number): string => cellAt(m, x);
  report(m, cell(c), "DUPLICATE_COLUMN", "warning", `Columns ${cell(first)} and ${cell(c)} both look like ${what}; using ${cell(first)} ("${m.headers[first]}"). Rename one, or name the right one in Pipeline Settings › Columns.`);
}

/** Places a field by guess, and says so at its column. */
function guess(m: Mapping, f: Field, c: number): void {
  m.fields[f] = c;
  m.taken.add(c);
  m.guessed.push(f);
  report(m, cellAt(m, c), "GUESSED_COLUMN", "info", `Guessed that "${m.headers[c]}" (${cellAt(m, c)}) is ${FIELD_WORDS[f]}; correct it in Pipeline Settings › Columns if not.`);
}

/** Step 1: pipesheet's own output columns are never input, whatever an override says; a second copy of one is reported. */
function mapOutputColumns(m: Mapping): void {
  for (const { c, key } of m.columns) {
    const k = OUTPUT_BY_KEY.get(key);
    if (k === undefined) continue;
    m.taken.add(c);
    const first = m.owned[k];
    if (first === undefined) m.owned[k] = c;
    else reportDuplicate(m, `pipesheet's "${OWNED_HEADERS[k]}" column`, first, c);
  }
}

/** Step 2: overrides win over every other match, unless the header is missing, an output, or named for another field first. */
function applyOverrides(m: Mapping, overrides: Partial<Record<Field, string>>): void {
  for (const f of FIELDS) {
    const text = overrides[f];
    if (text === undefined || text.trim() === "") continue;
    const key = normalize(text);
    const c = m.keys.indexOf(key);
    if (c < 0) {
      report(m, cellAt(m, 0), "MISSING_COLUMN", "warning", `Pipeline Settings › Columns says ${fieldLabel(f)} is in the column "${text}", but row ${m.headerRow + 1} has no such header; fix the header or the setting.`);
      continue;
    }
    if (OUTPUT_BY_KEY.has(key)) {
      report(m, cellAt(m, c), "MISSING_COLUMN", "warning", `Pipeline Settings › Columns says ${fieldLabel(f)} is in "${text}" (${cellAt(m, c)}), but pipesheet writes that column; name another column.`);
      continue;
    }
    const other = FIELDS.find((g) => m.fields[g] === c);
    if (other !== undefined) {
      report(m, cellAt(m, c), "DUPLICATE_COLUMN", "warning", `Pipeline Settings › Columns names "${text}" (${cellAt(m, c)}) for both ${fieldLabel(other)} and ${fieldLabel(f)}; a column can hold one field only, so it is used for ${fieldLabel(other)}.`);
      continue;
    }
    m.fields[f] = c;
    m.overridden.add(f);
    m.taken.add(c);
  }
}

/** Step 3: known headers name their field (known non-fields are set aside); a second column for a field is reported unless an override chose. */
function mapKnownHeaders(m: Mapping): void {
  for (const { c, key } of m.columns) {
    if (m.taken.has(c) || key === "") continue;
    const f = ALIAS_FIELD.get(key);
    if (f === undefined) {
      if (IGNORED_KEYS.has(key)) m.taken.add(c);
      continue;
    }
    m.taken.add(c);
    const first = m.fields[f];
    if (first === undefined) m.fields[f] = c;
    // A second column whose values cannot be the field ("Revenue" holding "User Provided") is no rival to report.
    else if (!m.overridden.has(f) && valueFit(f, profileColumn(m.grid, sampleRows(m.grid, m.headerRow + 1, 60), c)) !== null) reportDuplicate(m, FIELD_WORDS[f], first, c);
  }
}

/** Step 4: many sheets keep the stage in a column called "Status"; with no stage column, it is read as the stage. */
function statusAsStage(m: Mapping): void {
  const statusCol = m.fields.status;
  if (m.fields.stage === undefined && statusCol !== undefined && !m.overridden.has("status")) {
    delete m.fields.status;
    guess(m, "stage", statusCol);
  }
}

interface Candidate {
  c: number;
  hits: Map<Field, HeaderHit>;
}

/**
 * Step 5a: the open columns whose header's words (or a near spelling of a known header) point at a field.
 * One whose strongest field another column already holds is a second one of it: taken, not a candidate.
 */
function headerCandidates(m: Mapping): Candidate[] {
  const candidates: Candidate[] = [];
  for (const { c, header, key } of m.columns) {
    if (m.taken.has(c) || key === "") continue;
    const hits = headerHits(header);
    const near = nearField(key);
    if (near && !hits.has(near)) hits.set(near, { score: 5, phrase: "a near spelling" });
    if (hits.size === 0) continue;
    let top: Field | null = null;
    let topScore = 0;
    for (const [f, h] of hits)
      if (top === null || h.score > topScore) {
        top = f;
        topScore = h.score;
      }
    if (top !== null && m.fields[top] !== undefined) {
      m.taken.add(c);
      continue;
    }
    candidates.push({ c, hits });
  }
  return candidates;
}

/**
 * Step 5b: every candidate scored against every field still open, from its header's words and its values, then
 * the best total assignment guessed (in column order), so no header is lost because its first keyword was
 * taken ("close_value" is the value, though "close" names the close date).
 */
function guessFromHeaders(m: Mapping, candidates: readonly Candidate[]): void {
  const open = FIELDS.filter((f) => m.fields[f] === undefined);
  const why = new Map<string, string>();
  const scores = open.map((f) =>
    candidates.map(({ c, hits }) => {
      const h = hits.get(f);
      if (!h) return 0;
      const fit = valueFit(f, m.profileOf(c));
      if (fit === null) return 0;
      why.set(`${f}:${c}`, [`header word${h.phrase.includes(" ") ? "s" : ""} "${h.phrase}"`, fit.why].filter((x) => x !== "").join(", "));
      return h.score + fit.bonus;
    }),
  );
  const chosen = bestAssignment(scores, candidates.length);
  const picks: [Field, number][] = [];
  for (const [i, f] of open.entries()) {
    // bestAssignment's -1 (no column for the field) is no candidate.
    const pick = candidates[chosen[i] ?? -1];
    if (pick) picks.push([f, pick.c]);
  }
  picks.sort((x, y) => x[1] - y[1]);
  for (const [f, c] of picks) {
    guess(m, f, c);
    m.evidence[f] = why.get(`${f}:${c}`) ?? "guessed";
  }
  for (const { c } of candidates) m.taken.add(c);
}

/**
 * Step 6: where headers say nothing ("Date 1", "Datum", "Fecha"), the values decide, row by row: a date column
 * never before the other dates is the close date (the actual close when its header says won or closed), one
 * never after them the created date. A column a header named is only compared against.
 */
function guessDatesByOrder(m: Mapping): void {
  for (const [f, c, text] of datesByOrder(m.grid, m.headerRow, m.columns.length, m.headers, m.keys, m.taken, m.fields, m.profileOf)) {
    guess(m, f, c);
    m.evidence[f] = text;
  }
}

/** The evidence for the fields found by their header or an override: where from, and what their values say. */
function explainNamed(m: Mapping): void {
  for (const f of FIELDS) {
    const c = m.fields[f];
    if (c === undefined || m.evidence[f] !== undefined) continue;
    const fit = valueFit(f, m.profileOf(c));
    m.evidence[f] = [m.overridden.has(f) ? "named in Pipeline Settings › Columns" : "known header", fit?.why ?? "values do not look like it"].filter((x) => x !== "").join(", ");
  }
}

/** Among several money columns, the runner-up to the one chosen as the value (added to its evidence), or null. */
function valueRunnerUp(m: Mapping): number | null {
  const value = m.fields.value;
  if (value === undefined) return null;
  let runnerUp: number | null = null;
  let best = 0;
  for (const { c, header, key } of m.columns) {
    if (c === value || FIELDS.some((f) => m.fields[f] === c) || OUTPUT_BY_KEY.has(key)) continue;
    const h = headerHits(header).get("value");
    const p = m.profileOf(c);
    const score = ALIAS_FIELD.get(key) === "value" ? 10 : (h?.score ?? 0);
    if (score > best && (p.filled < MIN_VALUES || p.numbers >= 0.6)) {
      best = score;
      runnerUp = c;
    }
  }
  if (runnerUp !== null) m.evidence.value = `${m.evidence.value ?? ""}; runner-up "${m.headers[runnerUp]}"`;
  return runnerUp;
}

/** The important fields no column holds, each reported at the header row. */
function reportMissing(m: Mapping): Field[] {
  const missing: Field[] = [];
  for (const f of IMPORTANT_FIELDS) {
    if (m.fields[f] !== undefined) continue;
    missing.push(f);
    const added = f === "need" || f === "budget" || f === "authority";
    report(
      m,
      cellAt(m, 0),
      "MISSING_COLUMN",
      "warning",
      added
        ? `No ${fieldLabel(f)} column in row ${m.headerRow + 1}: Set up pipeline adds one for you to fill, or name yours in Pipeline Settings › Columns.`
        : `No ${fieldLabel(f)} column in row ${m.headerRow + 1}: add one, or name the header that holds it in Pipeline Settings › Columns.`,
    );
  }
  return missing;
}

/**
 * Finds the header row and maps its columns onto fields, in steps that each settle some columns for good:
 * pipesheet's outputs, overrides, known headers, a "Status" read as the stage, header words, date order.
 */
export function mapColumns(grid: Grid, sheet: string, overrides: Partial<Record<Field, string>>): ColumnMap | null {
  const headerRow = findHeaderRow(grid, overrideKeyMap(overrides));
  if (headerRow < 0) return null;
  const m = newMapping(grid, sheet, headerRow);
  mapOutputColumns(m);
  applyOverrides(m, overrides);
  mapKnownHeaders(m);
  statusAsStage(m);
  guessFromHeaders(m, headerCandidates(m));
  guessDatesByOrder(m);
  explainNamed(m);
  const runnerUp = valueRunnerUp(m);
  const missing = reportMissing(m);
  const { headers, fields, owned, guessed, evidence, problems } = m;
  return { headerRow, headers, fields, owned, guessed, missing, evidence, valueRunnerUp: runnerUp, problems };
}
