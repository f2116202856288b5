// The Sheets client through the real googleapis library against the fake API: what is retried (reads and
// fixed-range writes, on 429, 5xx and dropped connections) and what never is (append, addSheet), request
// counts, payloads under the 2 MB guidance, and the fake's own strictness.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getCredentials, type Credentials } from "../cli/google/auth.js";
import { chunkRows, SheetsClient } from "../cli/google/client.js";
import { withRetry, type RetryPolicy } from "../cli/google/retry.js";
import { startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import type { FakeSpreadsheet } from "./fakes/sheets-api/model.js";

let h: Harness;
let creds: Credentials;
let ss: FakeSpreadsheet;
const waits: number[] = [];
const policy: RetryPolicy = { retries: 4, baseMs: 100, maxMs: 1000, sleep: async (ms) => void waits.push(ms), random: () => 0.5 };
const client = (extra: { payloadLimit?: number } = {}): SheetsClient => new SheetsClient("S1", creds, { rootUrl: h.url, retry: policy, ...extra });

beforeAll(async () => {
  h = await startHarness();
  creds = await getCredentials(h.keyFile, h.env);
});
afterAll(async () => {
  await h.server.stop();
});
beforeEach(() => {
  h.server.spreadsheets.clear();
  ss = h.server.create("S1");
  ss.addSheet("Deals", [["Deal", "Stage"], ["Acme", "Won"]]);
  h.server.resetCounts();
  h.server.faults.length = 0;
  waits.length = 0;
});

describe("retries", () => {
  const cases = [
    { fault: "429" as const, retried: true },
    { fault: "500" as const, retried: true },
    { fault: "503" as const, retried: true },
    { fault: "drop" as const, retried: true },
  ];
  for (const c of cases) {
    it(`reads again after ${c.fault}`, async () => {
      h.server.failAt(1, c.fault);
      const c1 = client();
      const [rows] = await c1.read(["'Deals'"], { values: "UNFORMATTED_VALUE", dates: "FORMATTED_STRING" });
      expect(rows).toEqual([["Deal", "Stage"], ["Acme", "Won"]]);
      expect(h.server.count("values.batchGet")).toBe(2);
      expect(c1.requests).toBe(2);
      expect(waits).toEqual([50]);
    });

    it(`writes a fixed range again after ${c.fault}`, async () => {
      h.server.failAt(1, c.fault, "values.batchUpdate");
      await client().write([{ sheet: "Deals", row: 1, col: 1, values: [["Lost"]] }]);
      expect(h.server.count("values.batchUpdate")).toBe(2);
      expect(ss.grid("Deals")[1]).toEqual(["Acme", "Lost"]);
    });
  }

  it("a fixed-range write whose answer was lost is sent again and changes nothing twice", async () => {
    h.server.failAt(1, "drop-after", "values.batchUpdate");
    await client().write([{ sheet: "Deals", row: 1, col: 1, values: [["Lost"]] }]);
    expect(h.server.count("values.batchUpdate")).toBe(2);
    expect(ss.grid("Deals")).toEqual([["Deal", "Stage"], ["Acme", "Lost"]]);
  });

  it("backs off exponentially with jitter, honours the cap, and gives up after the last retry", async () => {
    for (let i = 1; i <= 5; i++) h.server.failAt(i, "503");
    await expect(client().meta()).rejects.toThrow(/Google Sheets did not answer while trying to read the spreadsheet's tabs \(HTTP 503\); run the same command again later/);
    expect(h.server.count("spreadsheets.get")).toBe(5);
    expect(waits).toEqual([50, 100, 200, 400]);
  });

  it("waits at least as long as Retry-After says", async () => {
    const sleeps: number[] = [];
    let n = 0;
    const value = await withRetry(
      async () => {
        if (n++ === 0) throw Object.assign(new Error("quota"), { response: { status: 429, headers: { "retry-after": "3" } } });
        return "ok";
      },
      { ...policy, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(value).toBe("ok");
    expect(sleeps).toEqual([3000]);
  });

  it("does not retry errors that will not go away (400, 403, 404)", async () => {
    await expect(new SheetsClient("MISSING", creds, { rootUrl: h.url, retry: policy }).meta()).rejects.toThrow(/spreadsheet MISSING was not found/);
    expect(h.server.count()).toBe(1);
    await expect(client().batchUpdate([{ addSheet: { properties: { title: "Deals" } } }], true)).rejects.toThrow(/already exists/);
    expect(h.server.count()).toBe(2);
  });
});

describe("never retried", () => {
  it("an append that failed is not sent again (it might have landed)", async () => {
    h.server.failAt(1, "drop-after", "values.append");
    await expect(client().append("Deals", 2, 0, 2, [["Beta", "Open"]])).rejects.toThrow(/connection to Google was lost.*safe to repeat/);
    expect(h.server.count("values.append")).toBe(1);
    expect(ss.grid("Deals")).toEqual([["Deal", "Stage"], ["Acme", "Won"], ["Beta", "Open"]]);
  });

  it("an append refused with 429 is not sent again either", async () => {
    h.server.failAt(1, "429", "values.append");
    await expect(client().append("Deals", 2, 0, 2, [["Beta", "Open"]])).rejects.toThrow(/quota ran out/);
    expect(h.server.count("values.append")).toBe(1);
  });

  it("a batchUpdate that adds a tab is not sent again", async () => {
    h.server.failAt(1, "500", "spreadsheets.batchUpdate");
    await expect(client().batchUpdate([{ addSheet: { properties: { title: "New" } } }], false)).rejects.toThrow(/HTTP 500/);
    expect(h.server.count("spreadsheets.batchUpdate")).toBe(1);
  });
});

describe("payloads", () => {
  it("splits a large write into requests under the limit, in as few as it can", async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => [`Deal ${i} with a longer name to take room`, i, "Proposal"]);
    ss.sheet("Deals").props.gridProperties.rowCount = 40_000;
    const c1 = client();
    await c1.write([{ sheet: "Deals", row: 1, col: 0, values: rows }]);
    const calls = h.server.calls.filter((c) => c.method === "values.batchUpdate");
    const total = calls.reduce((n, c) => n + c.bytes, 0);
    expect(calls.every((c) => c.bytes <= 1_900_000)).toBe(true);
    expect(calls.length).toBe(Math.ceil(total / 1_900_000));
    expect(ss.grid("Deals")[30_000]).toEqual(["Deal 29999 with a longer name to take room", 29999, "Proposal"]);
  });

  it("chunkRows keeps every row and each chunk under the limit", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ["x".repeat(i % 50)]);
    const chunks = chunkRows(rows, 2000);
    expect(chunks.flat()).toEqual(rows);
    for (const c of chunks) expect(JSON.stringify(c).length).toBeLessThanOrEqual(2000 + c.length);
  });

  it("the fake refuses a body over the 2 MB guidance", async () => {
    const big = [["y".repeat(2_100_000)]];
    await expect(client({ payloadLimit: 5_000_000 }).write([{ sheet: "Deals", row: 0, col: 3, values: big }])).rejects.toThrow(/HTTP 413/);
  });
});

describe("the fake is strict where the API is", () => {
  const expectRefused = async (requests: unknown[], message: RegExp): Promise<void> => {
    await expect(client().batchUpdate(requests as never, false)).rejects.toThrow(message);
  };
  it("rejects unknown fields with the API's wording", () =>
    expectRefused([{ repeatCell: { range: { sheetId: 0 }, cell: { userEnteredFormat: { bold: true } }, fields: "*" } }], /Unknown name "bold" at 'requests\[0\]\.repeatCell\.cell\.userEnteredFormat': Cannot find field/));
  it("rejects two kinds in one request", () => expectRefused([{ addSheet: {}, deleteSheet: { sheetId: 0 } }], /oneof field 'kind' is already set/));
  it("rejects cells outside the grid for updateCells", () =>
    expectRefused([{ updateCells: { start: { sheetId: 0, rowIndex: 1000, columnIndex: 0 }, rows: [{ values: [{}] }], fields: "userEnteredValue" } }], /exceeds grid limits/));
  it("rejects a conditional-format formula that reaches another tab", () =>
    expectRefused(
      [{ addConditionalFormatRule: { index: 0, rule: { ranges: [{ sheetId: 0 }], booleanRule: { condition: { type: "CUSTOM_FORMULA", values: [{ userEnteredValue: "=Other!A1>0" }] }, format: {} } } } }],
      /cannot reference other sheets/,
    ));
  it("rejects deleting a rule that is not there", () => expectRefused([{ deleteConditionalFormatRule: { sheetId: 0, index: 0 } }], /No conditional format on sheet: 0 at index: 0/));
  it("applies nothing when one request of a batch fails", async () => {
    await expectRefused([{ addSheet: { properties: { title: "Fine" } } }, { addSheet: { properties: { title: "Deals" } } }], /already exists/);
    expect(ss.sheets.map((s) => s.props.title)).toEqual(["Deals"]);
  });
  it("refuses values.update past the grid, like the API", async () => {
    await expect(client().write([{ sheet: "Deals", row: 1000, col: 0, values: [["x"]] }])).rejects.toThrow(/exceeds grid limits\. Max rows: 1000/);
  });
  it("refuses a request without a valid token", async () => {
    const { auth } = await import("googleapis/build/src/apis/sheets/index.js");
    const stranger = new auth.OAuth2({});
    stranger.setCredentials({ access_token: "not-issued", expiry_date: Date.now() + 3_600_000 });
    await expect(new SheetsClient("S1", { client: stranger, who: "stranger" }, { rootUrl: h.url, retry: policy }).meta()).rejects.toThrow(
      /Google refused the credentials \(HTTP 401 while trying to read the spreadsheet.s tabs/,
    );
    expect(h.server.calls.at(-1)?.status).toBe(401);
  });
});
