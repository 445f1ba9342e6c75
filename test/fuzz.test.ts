/**
 * Fuzzing, seeded and bounded: random bytes and CSV-like text through the readers and the
 * customer model, random token sequences through the expression language, random YAML through the
 * segment-file and config loaders. Only results, located diagnostics or typed user errors may come
 * out — never an uncaught exception, a stack overflow or a hang.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { loadConfigText } from "../src/config/load-config.js";
import { resolveSettings } from "../src/config/settings.js";
import { PROFILE_ENV } from "../src/dsl/env.js";
import { AggregateTable, checkExpression, compileExpression } from "../src/dsl/index.js";
import { UserError } from "../src/errors.js";
import type { Diagnostic } from "../src/errors.js";
import { loadProfiles } from "../src/io/read-inputs.js";
import { checkSegmentGraph } from "../src/segments/graph.js";
import { parseSegmentFile } from "../src/segments/parse-segment-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-fuzz-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const AS_OF = parseIsoDay("2026-06-30") as number;
let runs = 0;

/** Loads `bytes` as an orders file (and a contacts file), and says how it ended. */
async function ingest(
  orders: Uint8Array | string,
  contacts?: Uint8Array | string,
): Promise<"ok" | "user-error"> {
  const n = runs++;
  const ordersPath = join(dir, `orders-${n}.csv`);
  await writeFile(ordersPath, orders);
  const flags: Record<string, string> = { orders: ordersPath };
  if (contacts !== undefined) {
    flags.contacts = join(dir, `contacts-${n}.csv`);
    await writeFile(flags.contacts, contacts);
  }
  const settings = resolveSettings(undefined, { ...flags, timezone: "Europe/Paris" }, dir);
  try {
    const data = await loadProfiles({
      settings,
      asOf: AS_OF,
      needs: { aggregates: [], fields: ["products", "categories"] },
    });
    // The profiles must be usable: every customer has a key and sane numbers.
    for (let c = 0; c < data.profiles.size; c++) {
      expect(data.profiles.store.key(c)).not.toBe("");
      expect(Number.isFinite(data.profiles.store.totalSpent[c])).toBe(true);
    }
    return "ok";
  } catch (error) {
    if (error instanceof UserError) return "user-error";
    throw error;
  }
}

const HEADER =
  "order_id,customer_id,email,phone,created_at,status,total,refunded,product,category,quantity,price\n";
const CSV_ALPHABET = [
  ",",
  ";",
  "\t",
  '"',
  '""',
  "\n",
  "\r\n",
  "\r",
  " ",
  "a",
  "é",
  "€",
  "1",
  "12.5",
  "-3",
  "0",
  "@",
  "x@example.com",
  "06 39 98 00 01",
  "2026-06-01",
  "2024-02-30",
  "31/12/2026",
  "'",
  "\u0000",
  "\ufeff",
  "paid",
  "cancelled",
  "C123",
];

describe("fuzzing the readers", () => {
  it("turns random bytes into results or user errors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        expect(["ok", "user-error"]).toContain(await ingest(bytes));
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it("turns random CSV-like text under a valid header into results or user errors", async () => {
    const text = fc
      .array(fc.constantFrom(...CSV_ALPHABET), { maxLength: 200 })
      .map((parts) => HEADER + parts.join(""));
    await fc.assert(
      fc.asyncProperty(text, text, async (orders, contacts) => {
        expect(["ok", "user-error"]).toContain(
          await ingest(
            orders,
            contacts.replace(HEADER, "customer_id,email,phone,email_consent,tags\n"),
          ),
        );
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

const TOKENS = [
  "orders_count",
  "total_spent",
  "last_order_date",
  "tags",
  "email",
  "props.x",
  "rfm_segment",
  "unknown_field",
  "orders(",
  "spent(",
  "events(",
  "in_segment(",
  "days_since(",
  "starts_with(",
  "category:",
  "within:",
  "since:",
  "x:",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  ":",
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "==",
  "and",
  "or",
  "not",
  "in",
  "contains",
  "between",
  "is",
  "null",
  "true",
  "false",
  "today",
  "1",
  "0",
  "-30d",
  "30d",
  "6m",
  "2026-01-01",
  "2024-02-30",
  '"Sérum"',
  "'vip'",
  '"unterminated',
  "*",
  "1e9",
  "99999999999999999999",
];

describe("fuzzing the expression language", () => {
  it("checks random token sequences without throwing, and compiles what it accepts", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (tokens) => {
        const text = tokens.join(" ");
        const result = checkExpression(text, PROFILE_ENV, { expect: "boolean" });
        expect(result.ok).toBe(result.diagnostics.every((d) => d.severity !== "error"));
        for (const d of result.diagnostics) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
        }
        if (result.ok && result.checked !== undefined)
          compileExpression(result.checked, AS_OF, new AggregateTable());
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it("checks random text (any characters, deep nesting) without throwing", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.nat({ max: 20_000 }).map((n) => "(".repeat(n) + "1" + ")".repeat(n)),
        ),
        (text) => {
          const result = checkExpression(text, PROFILE_ENV, { expect: "boolean" });
          expect(Array.isArray(result.diagnostics)).toBe(true);
        },
      ),
      { numRuns: 1000, seed: 5 },
    );
  });
});

/** Pieces of YAML and of audience's keys and values, valid and broken. */
const YAML_TOKENS = [
  "\n",
  "\n  ",
  "\n    ",
  "\n      ",
  "  ",
  "\t",
  "\r\n",
  "\ufeff",
  ": ",
  "- ",
  "? ",
  "[",
  "]",
  "{",
  "}",
  ", ",
  "'",
  '"',
  "#",
  "&a ",
  "*a",
  "<<: *a",
  "!!str ",
  "!tag ",
  "|\n",
  ">\n",
  "---\n",
  "...\n",
  "%YAML 1.2\n",
  "~",
  "null",
  "1e999",
  "-1",
  "Ü",
  "segments:",
  "defaults:",
  "vip:",
  "win-back:",
  "../x:",
  "VIP:",
  "where:",
  " orders_count >= 1",
  ' "total_spent > 100 and"',
  " in_segment(vip)",
  " in_segment(win-back)",
  "channel:",
  " email",
  " bogus",
  "consent:",
  " ignore",
  "exclude:",
  " [vip]",
  "columns:",
  " [props.x, last_product]",
  "priority:",
  " 10",
  "guard:",
  " { min: 5, max: 2, max_change: 40% }",
  "format:",
  " klaviyo",
  "name:",
  "orders:",
  " o.csv",
  "columns:",
  " { orders: { email: E } }",
  "rfm:",
  " { recency: [1, 2, 3, 4] }",
  " { segments: { x: ['5[4-5]'] } }",
  "orders_filter:",
  " quantity > 0",
  "timezone:",
  " Mars/Olympus",
  "date_order:",
  " dmy",
  "delimiter:",
  " tab",
  "as_of:",
  " 2024-02-30",
];

/** A diagnostic a user can act on: a code, a message, and a position inside the text. */
function expectLocated(d: Diagnostic, text: string): void {
  expect(d.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  expect(d.message.length).toBeGreaterThan(0);
  expect(d.location.line).toBeGreaterThanOrEqual(1);
  expect(d.location.column).toBeGreaterThanOrEqual(1);
  expect(d.location.line).toBeLessThanOrEqual(text.split(/\r\n|\r|\n/).length + 1);
}

describe("fuzzing the definitions", () => {
  const yaml = fc.oneof(
    fc.array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 }).map((parts) => parts.join("")),
    fc.string({ maxLength: 300 }),
  );

  it("reads random segment files into definitions or located diagnostics", () => {
    fc.assert(
      fc.property(yaml, yaml, (a, b) => {
        const first = parseSegmentFile({ file: "a.yaml", text: a });
        const second = parseSegmentFile({ file: "b.yaml", text: b }, first.declared.length);
        const graph = checkSegmentGraph([...first.declared, ...second.declared]);
        for (const d of first.diagnostics) expectLocated(d, a);
        for (const d of second.diagnostics) expectLocated(d, b);
        for (const d of graph.diagnostics) expectLocated(d, d.location.file === "a.yaml" ? a : b);
      }),
      { numRuns: 1500, seed: 13 },
    );
  });

  it("reads random config files into settings or located diagnostics", () => {
    fc.assert(
      fc.property(yaml, (text) => {
        const loaded = loadConfigText("audience.yaml", text);
        for (const d of loaded.diagnostics) expectLocated(d, text);
      }),
      { numRuns: 1500, seed: 17 },
    );
  });
});
