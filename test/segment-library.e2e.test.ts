/**
 * The segment library (segments/) on a hand-built shop (fixtures/segment-library/) whose customers
 * sit just inside and just outside each boundary: every segment's file holds exactly the expected
 * customers. The expected lists were computed independently of audience, from the rules in each
 * segment's description, and are written out here.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";

const CONFIG = "fixtures/segment-library/audience.yaml";
let out: string;

beforeAll(async () => {
  out = join(await mkdtemp(join(tmpdir(), "audience-library-")), "out");
  const run = await runCli(["build", "--config", CONFIG, "--out", out, "--quiet"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
});

afterAll(async () => {
  await rm(join(out, ".."), { recursive: true, force: true });
});

/** The customer ids written to a segment's file (generic profile: customer_id first). */
async function written(id: string): Promise<string[]> {
  const text = await readFile(join(out, `${id}.csv`), "utf8");
  return text
    .split("\r\n")
    .slice(1)
    .filter((line) => line !== "")
    .map((line) => line.split(",")[0])
    .sort();
}

const EXPECTED: Record<string, { matched: number; written: string[] }> = {
  // signed up 0 and 29 days ago without an order are in; 30 days is out; a cancelled order is no order; a real one is
  "new-signups-no-order": {
    matched: 3,
    written: ["signup-0d", "signup-29d", "signup-29d-cancelled"],
  },
  // one order 29 days ago is in, 30 days out (first-30d); two orders out (two-recent); every other one-order customer of the last 29 days is in too
  "first-order-no-repeat": {
    matched: 17,
    written: [
      "fc-creme-1d",
      "fc-serum-29d",
      "fc-serum-second-line",
      "first-29d",
      "pp-0d",
      "pp-1d",
      "pp-20d",
      "pp-21d",
      "pp-22d",
      "pp-2d",
      "pp-3d",
      "pp-6d",
      "pp-7d",
      "pp-8d",
      "signup-29d-buyer",
    ],
  },
  // exactly two orders, the second 29 days ago (in) vs 30 days (out); three orders out
  "second-order-recent": { matched: 2, written: ["second-29d", "two-recent"] },
  // one order 60 and 61 days ago in, 59 out
  "one-time-lapsed": {
    matched: 12,
    written: [
      "inactive-366",
      "lead-buyer",
      "occ-1-364",
      "occ-1-365",
      "one-60d",
      "one-61d",
      "sleep-100d",
      "wb-6m",
      "wb-6m-minus-1d",
      "wb-handled",
      "wb-no-consent",
      "wb-unhandled",
    ],
  },
  // two orders, the last 90 and 91 days ago in, 89 out; one order at 90 days is not a repeat buyer
  "repeat-lapsed": {
    matched: 6,
    written: ["cantlose-400d", "occ-2-100", "repeat-90d", "repeat-91d", "risk-179d", "risk-180d"],
  },
  // revenue_percentile >= 80: the buyers with at least 80% of buyers spending strictly less
  "top-customers": {
    matched: 7,
    written: [
      "big-500",
      "big-500.01",
      "cantlose-400d",
      "champ-4-29d",
      "champ-4-30d",
      "vip-spent-300",
      "vip-spent-300.01",
    ],
  },
  // referral and store (any case), not google_ads; the list is the user's to edit
  "best-channel-customers": {
    matched: 3,
    written: ["channel-referral", "channel-referral-caps", "channel-store"],
  },
  // fixed thresholds: 3 orders, last 180 days ago is R2 F3 at_risk (in), 179 days is R3 need_attention (out); 6 orders 400 days ago is cant_lose
  "at-risk": { matched: 2, written: ["cantlose-400d", "risk-180d"] },
  // last order on 2025-12-30 (as_of − 6 months) in, 2025-12-31 out; an unanswered inbound message keeps a customer out, an answered one does not; no WhatsApp or SMS consent: matched, not written
  "whatsapp-win-back": {
    matched: 7,
    written: ["cantlose-400d", "inactive-366", "occ-1-364", "occ-1-365", "wb-6m", "wb-handled"],
  },
  // 3 orders and a read on 2026-04-02 (within 90 days) in, on 2026-04-01 out — but 22:30 UTC on 1 April is 2 April in Paris; spent 300.01 in, 300 out
  "whatsapp-vip": { matched: 3, written: ["vip-3-read-89d", "vip-3-read-tz", "vip-spent-300.01"] },
  // wrote in and never bought; the unknown number is matched but has no consent
  "whatsapp-leads": { matched: 2, written: ["lead-contact"] },
  // list members: a Sérum 29 days ago keeps them out (within 30d starts 2026-06-01), 30 and 31 days ago do not; a cancelled Sérum order does not count; a Sérum as the second line of an order does; the list name matches in any case
  "face-care-cross-sell": {
    matched: 5,
    written: [
      "fc-creme-1d",
      "fc-list-lowercase",
      "fc-serum-30d",
      "fc-serum-31d",
      "fc-serum-cancelled",
    ],
  },
  // last order today; consent: ignore, so the customer without email consent is written too
  "post-purchase-thank-you": { matched: 2, written: ["pp-0d", "pp-0d-no-consent"] },
  // last order exactly 2 days ago (not 1, not 3)
  "post-purchase-delivery-check": { matched: 1, written: ["pp-2d"] },
  // exactly 7 days (not 6, not 8); the one without email consent is matched, not written
  "post-purchase-how-to": { matched: 2, written: ["pp-7d"] },
  // exactly 21 days (not 20, not 22)
  "post-purchase-review": { matched: 1, written: ["pp-21d"] },
  // champions: 4 orders, last 29 days ago (R5 F4) in; 30 days ago is R4 (out); 3 orders is F3 (out)
  "rfm-vip": { matched: 1, written: ["champ-4-29d"] },
  // M5 = more than 500 spent: 500.01 in, 500 out
  "rfm-big-spenders": { matched: 1, written: ["big-500.01"] },
  // one or two orders, the last 365 days ago or less (364 and 365 in; 366 is rfm-inactive)
  "rfm-occasional": {
    matched: 48,
    written: [
      "big-500",
      "big-500.01",
      "channel-google",
      "channel-referral",
      "fc-creme-1d",
      "fc-serum-29d",
      "fc-serum-30d",
      "fc-serum-31d",
      "fc-serum-second-line",
      "first-29d",
      "first-30d",
      "lead-buyer",
      "occ-1-364",
      "occ-1-365",
      "occ-2-100",
      "one-59d",
      "one-60d",
      "one-61d",
      "pp-0d",
      "pp-1d",
      "pp-20d",
      "pp-21d",
      "pp-22d",
      "pp-2d",
      "pp-3d",
      "pp-6d",
      "pp-7d",
      "pp-8d",
      "repeat-89d",
      "repeat-90d",
      "repeat-91d",
      "second-29d",
      "second-30d",
      "signup-29d-buyer",
      "sleep-100d",
      "store-only",
      "two-recent",
      "vip-spent-300",
      "vip-spent-300.01",
      "wb-6m",
      "wb-6m-minus-1d",
      "wb-handled",
      "wb-no-consent",
      "wb-unhandled",
      "web-and-store",
      "web-only",
    ],
  },
  // at_risk, cant_lose and about_to_sleep (R3 with one or two orders)
  "rfm-at-risk": {
    matched: 6,
    written: ["cantlose-400d", "occ-2-100", "repeat-90d", "repeat-91d", "risk-180d", "sleep-100d"],
  },
  // last order 366 days ago in, 365 out
  "rfm-inactive": { matched: 2, written: ["cantlose-400d", "inactive-366"] },
  // orders on the web only (channel written WEB counts too); web and store: out
  "web-only-buyers": { matched: 1, written: ["web-only"] },
  // orders in store only
  "store-only-buyers": { matched: 1, written: ["store-only"] },
};

describe("the segment library on boundary customers", () => {
  for (const [id, expected] of Object.entries(EXPECTED)) {
    it(`${id}: exactly the expected customers`, async () => {
      expect(await written(id)).toEqual(expected.written);
    });
  }

  it("counts the same matched and reachable customers", async () => {
    const run = await runCli(["count", "--config", CONFIG, "--json", "--quiet"]);
    const { segments } = JSON.parse(run.stdout) as {
      segments: { id: string; matched: number; reachable: number }[];
    };
    expect(segments.map((s) => s.id).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const s of segments) {
      expect({ id: s.id, matched: s.matched, reachable: s.reachable }).toEqual({
        id: s.id,
        matched: EXPECTED[s.id].matched,
        reachable: EXPECTED[s.id].written.length,
      });
    }
  });

  it("matches the lists scripts/make-segment-library-fixture.py computed", async () => {
    const computed = JSON.parse(
      await readFile("fixtures/segment-library/expected.json", "utf8"),
    ) as typeof EXPECTED;
    expect(computed).toEqual(EXPECTED);
  });

  it("validates: the library has no problem", async () => {
    const run = await runCli(["validate", "segments/"]);
    expect([run.code, run.stdout]).toEqual([0, "✔ 23 segments in 5 files, no problems\n"]);
  });

  it("carries last_product in the how-to file, for personalisation", async () => {
    const text = await readFile(join(out, "post-purchase-how-to.csv"), "utf8");
    expect(text.split("\r\n")[0]).toBe(
      "customer_id,email,phone,first_name,last_name,last_product,last_category",
    );
    expect(text.split("\r\n")[1]).toBe("pp-7d,pp-7d@example.com,,Test,pp-7d,Crème de jour,Crème");
  });
});
