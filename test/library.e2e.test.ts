/**
 * The segment library (segments/: 23 segments in 5 files) on fixtures/library/, a hand-built shop
 * whose customers sit just inside and just outside each boundary. For every segment the test
 * asserts the exact customers `audience build` writes to its file, and the matched counts of
 * `audience count`. Each customer_id names what it tests; fixtures/library/audience.yaml gives the
 * conventions (as_of 2026-06-30, every order 20.00 of "Crème de jour" unless said otherwise, every
 * contact consenting to every channel unless the id says "no-consent"). "Nd" = N days before as_of.
 *
 * RFM, by hand. The default cut points are the type-7 quintiles over the 55 buyers: with a value
 * sorted ascending as s[0..54], the p-quantile is s at h = 54·p = 10.8, 21.6, 32.4, 43.2,
 * interpolated: s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋ + 1] − s[⌊h⌋]).
 *
 * Recency (days since the last order):
 *   s[0..9]    0 0 1 1 2 2 3 5 6 6                 pp-0d ×2, pp-1d, creme-1d, pp-2d ×2, pp-3d,
 *                                                  signup-29d-ordered, pp-6d, rfm-champion
 *   s[10..21]  7 7 8 8 10 20 21 22 29 29 29 29
 *   s[22..32]  30 30 30 31 44 45 45 45 45 45 59
 *   s[33..43]  60 70 75 75 89 90 100 100 120 120 181
 *   s[44..54]  182 200 250 250 272 272 272 272 364 365 366
 *   cuts: 7 + 0.8·0 = 7 · 29 + 0.6·1 = 29.6 · 59 + 0.4·1 = 59.4 · 181 + 0.2·1 = 181.2
 *   R = 1 + cuts above the days: 0–6 days → 5, 7–29 → 4, 30–59 → 3, 60–181 → 2, 182 and more → 1.
 * Frequency (orders): 41 buyers with 1, 8 with 2, 5 with 3, 1 with 4, so s[10] to s[33] are 1 and
 *   s[43] = s[44] = 2: cuts 1, 1, 1, 2. F = 1 + cuts below: 1 order → 1, 2 orders → 4, 3+ → 5.
 *   F2 and F3 are empty (so are potential_loyalists and need_attention): a second order is enough
 *   to reach F4, as in most shops where the majority buys once.
 * Monetary (total spent): s[0..32] = 20 (33 buyers), then 32 32 32 40 40 40 52 60 60 60, then
 *   s[43] = 119.99 (top-20pct-below), s[44] = 120 (top-20pct-edge), 135 150 160 165 180 200 240
 *   280 300 300.01. cuts: 20, 20, 20 + 0.4·12 = 24.8, 119.99 + 0.2·0.01 = 119.992.
 *   M5 = more than 119.992: the 11 buyers from 120 up, who are also the top 20% (44 of 55 buyers,
 *   exactly 80%, spend strictly less than top-20pct-edge).
 * Named cells (R×F map of docs/design.md#rfm):
 *   champions (R5, F4–5)      rfm-champion (2 orders, the last 6 days ago)
 *   loyal_customers (R3–4, F4–5)
 *                             rfm-loyal (3 orders, the last 8 days ago: R4), third-order-29d,
 *                             second-order-29d-plus-cancelled, second-order-30d, web-and-store,
 *                             vip-2-orders-read-89d, vip-3-orders-read-{89,90,91}d
 *   at_risk (R1–2, F4)        repeat-89d, repeat-90d, rfm-at-risk (2 orders, 120 days)
 *   cant_lose (R1–2, F5)      rfm-cant-lose (4 orders, 200 days)
 *   about_to_sleep (R3, F1)   first-order-30d, serum-30d, serum-31d, rfm-about-to-sleep (45 days),
 *                             one-order-59d
 *   hibernating (R1–2, F1)    the 18 one-order buyers of 60 days or more (one-order-60d,
 *                             rfm-hibernating, the winback-*, occasional-*, inactive-366d…)
 *   new_customers (R5, F1) and promising (R4, F1): the other one-order buyers of 0–29 days.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";

const CONFIG = "fixtures/library/audience.yaml";

interface Expected {
  /** The customer_ids in the segment's file, sorted. */
  written: string[];
  /**
   * Matched but not reachable, so not in the file (no consent for the channel). lead-unknown-phone
   * has no customer_id: it is the person behind an events row with a phone only.
   */
  notWritten?: string[];
}

/** Segment file → segment id → expected members. */
const LIBRARY: Record<string, Record<string, Expected>> = {
  "lifecycle.yaml": {
    // days_since_signup < 30 and orders_count = 0: signed up 0 and 29 days ago in, 30 out; a
    // cancelled order is no order (in), a paid one is (signup-29d-ordered out); an order dated
    // after as_of does not count yet (in); a contact created after as_of does not exist yet.
    "new-signups-no-order": {
      written: [
        "signup-0d",
        "signup-10d-order-after-as-of",
        "signup-29d",
        "signup-29d-cancelled-order",
      ],
    },
    // orders_count = 1 and days_since_first_order < 30: first-order-29d in, first-order-30d out;
    // every other one-order buyer of 0–29 days is in too (post-purchase, serum, creme customers);
    // the pp-*-no-consent ones are matched without email consent.
    "first-order-no-repeat": {
      written: [
        "creme-1d",
        "first-order-29d",
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
        "serum-29d",
        "serum-second-line-10d",
        "signup-29d-ordered",
      ],
      notWritten: ["pp-0d-no-consent", "pp-2d-no-consent", "pp-7d-no-consent"],
    },
    // orders_count = 2 and days_since_last_order < 30: two orders, the last 29 days ago, in (its
    // cancelled third order 10 days ago counts neither as an order nor as the last one); the last
    // 30 days ago out; three orders 29 days ago out; rfm-champion (2 orders, 6 days) in.
    "second-order-recent": { written: ["rfm-champion", "second-order-29d-plus-cancelled"] },
    // orders_count = 1 and days_since_last_order >= 60: one-order-60d in, one-order-59d out; every
    // older one-order buyer is in too.
    "one-time-lapsed": {
      written: [
        "inactive-366d",
        "lead-with-order",
        "occasional-364d",
        "occasional-365d",
        "one-order-60d",
        "rfm-hibernating",
        "store-only",
        "top-20pct-below",
        "top-20pct-edge",
        "vip-spent-300-read-89d",
        "vip-spent-300.01-read-89d",
        "web-only-cancelled-store",
        "winback-2025-12-30",
        "winback-2025-12-31",
        "winback-inbound-handled",
        "winback-inbound-handled-blank",
        "winback-inbound-unhandled",
        "winback-no-whatsapp-consent",
      ],
    },
    // orders_count >= 2 and days_since_last_order >= 90: repeat-90d in, repeat-89d out; one order
    // 90 days or more ago is not a repeat buyer (the one-time-lapsed ones are out).
    "repeat-lapsed": { written: ["repeat-90d", "rfm-at-risk", "rfm-cant-lose"] },
  },

  "post-purchase.yaml": {
    // days_since_last_order = 0, consent: ignore: the customer without email consent is written.
    "post-purchase-thank-you": { written: ["pp-0d", "pp-0d-no-consent"] },
    // = 2 (not 1, not 3), consent: ignore: the customer without email consent is written.
    "post-purchase-delivery-check": { written: ["pp-2d", "pp-2d-no-consent"] },
    // = 7 (not 6, not 8), consent required: the customer without email consent is not written.
    "post-purchase-how-to": { written: ["pp-7d"], notWritten: ["pp-7d-no-consent"] },
    // = 21 (not 20, not 22).
    "post-purchase-review": { written: ["pp-21d"] },
  },

  "rfm.yaml": {
    // rfm_segment = "champions" (R5 F4–5): rfm-champion, 2 orders 6 days ago. rfm-loyal (3 orders,
    // 8 days: R4) and pp-6d (1 order, 6 days: F1) are out.
    "rfm-vip": { written: ["rfm-champion"] },
    // rfm_m = 5: total spent above 119.992 — top-20pct-edge (120) in, top-20pct-below (119.99) out.
    "rfm-big-spenders": {
      written: [
        "repeat-89d",
        "repeat-90d",
        "rfm-at-risk",
        "rfm-cant-lose",
        "rfm-champion",
        "rfm-loyal",
        "third-order-29d",
        "top-20pct-edge",
        "vip-spent-300-read-89d",
        "vip-spent-300.01-read-89d",
        "web-and-store",
      ],
    },
    // orders_count between 1 and 2 and days_since_last_order <= 365: occasional-364d and
    // occasional-365d in, inactive-366d out (rfm-inactive takes it: no gap at 365); 3 orders out (third-order-29d, rfm-loyal, vip-3-*,
    // rfm-cant-lose); non-buyers out.
    "rfm-occasional": {
      written: [
        "creme-1d",
        "first-order-29d",
        "first-order-30d",
        "lead-with-order",
        "occasional-364d",
        "occasional-365d",
        "one-order-59d",
        "one-order-60d",
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
        "rfm-about-to-sleep",
        "rfm-at-risk",
        "rfm-champion",
        "rfm-hibernating",
        "second-order-29d-plus-cancelled",
        "second-order-30d",
        "serum-29d",
        "serum-30d",
        "serum-31d",
        "serum-second-line-10d",
        "signup-29d-ordered",
        "store-only",
        "top-20pct-below",
        "top-20pct-edge",
        "vip-2-orders-read-89d",
        "vip-spent-300-read-89d",
        "vip-spent-300.01-read-89d",
        "web-and-store",
        "web-only-cancelled-store",
        "winback-2025-12-30",
        "winback-2025-12-31",
        "winback-inbound-handled",
        "winback-inbound-handled-blank",
        "winback-inbound-unhandled",
        "winback-no-whatsapp-consent",
      ],
      notWritten: ["pp-0d-no-consent", "pp-2d-no-consent", "pp-7d-no-consent"],
    },
    // at_risk, cant_lose and about_to_sleep: one-order-59d (R3) in as about_to_sleep, one-order-60d
    // (R2, hibernating) out, and rfm-hibernating (one order, 120 days) out; second-order-30d (R3
    // F4, loyal) out, repeat-89d (R2 F4) in.
    "rfm-at-risk": {
      written: [
        "first-order-30d",
        "one-order-59d",
        "repeat-89d",
        "repeat-90d",
        "rfm-about-to-sleep",
        "rfm-at-risk",
        "rfm-cant-lose",
        "serum-30d",
        "serum-31d",
      ],
    },
    // orders_count >= 1 and days_since_last_order > 365: inactive-366d in, occasional-365d out.
    "rfm-inactive": { written: ["inactive-366d"] },
    // web orders and no store order: the store order of web-only-cancelled-store is cancelled (in);
    // web-and-store out; orders without a channel count for neither.
    "web-only-buyers": { written: ["web-only-cancelled-store"] },
    // store orders and no web order.
    "store-only-buyers": { written: ["store-only"] },
  },

  "value.yaml": {
    // revenue_percentile >= 80: top-20pct-edge has exactly 80 (44 of 55 buyers spend less) in,
    // top-20pct-below 78.2 (43 of 55) out.
    "top-customers": {
      written: [
        "repeat-89d",
        "repeat-90d",
        "rfm-at-risk",
        "rfm-cant-lose",
        "rfm-champion",
        "rfm-loyal",
        "third-order-29d",
        "top-20pct-edge",
        "vip-spent-300-read-89d",
        "vip-spent-300.01-read-89d",
        "web-and-store",
      ],
    },
    // acquisition_channel in ["referral", "store"], in any case (Referral in); google_ads and
    // instagram out; store-only has no acquisition channel in contacts, so it is the channel of its
    // first order, store (in).
    "best-channel-customers": {
      written: [
        "acquired-referral",
        "acquired-referral-capitalised",
        "acquired-store",
        "store-only",
      ],
    },
    // at_risk and cant_lose (about_to_sleep is not, unlike rfm-at-risk).
    "at-risk": { written: ["repeat-89d", "repeat-90d", "rfm-at-risk", "rfm-cant-lose"] },
  },

  "whatsapp.yaml": {
    // last_order_date <= -6m (2025-12-30): winback-2025-12-30 in, winback-2025-12-31 out; an
    // inbound message handled=no keeps a customer out, handled=yes does not, an empty handled cell
    // reads as no (out); no WhatsApp consent: matched, not written. Every other buyer whose last
    // order is on or before 2025-12-30 is in (one-order buyers, rfm-cant-lose).
    "whatsapp-win-back": {
      written: [
        "inactive-366d",
        "occasional-364d",
        "occasional-365d",
        "rfm-cant-lose",
        "top-20pct-below",
        "top-20pct-edge",
        "winback-2025-12-30",
        "winback-inbound-handled",
      ],
      notWritten: ["winback-no-whatsapp-consent"],
    },
    // (orders_count >= 3 or total_spent > 300) and a WhatsApp read within 90d (2026-04-02 to
    // as_of): read 89 days ago in, 90 and 91 out; 2 orders out; spent 300.01 in, 300 out.
    "whatsapp-vip": { written: ["vip-3-orders-read-89d", "vip-spent-300.01-read-89d"] },
    // an inbound message and no order: lead-with-order out; the phone-only writer is matched but
    // has no consent (nobody is reachable before opting in).
    "whatsapp-leads": { written: ["lead-no-order"], notWritten: ["lead-unknown-phone"] },
    // list "Intérêt Gamme Visage" (any case) and no Sérum order within 30d (2026-06-01 to as_of):
    // a Sérum 29 days ago out, 30 and 31 days ago in; a Sérum as the second line of an order 10
    // days ago out; a cancelled Sérum order in; a Crème bought yesterday in; Newsletter only out.
    "face-care-cross-sell": {
      written: ["creme-1d", "list-lowercase", "serum-30d", "serum-31d", "serum-cancelled-5d"],
    },
  },
};

const EXPECTED: Record<string, Expected> = Object.fromEntries(
  Object.values(LIBRARY).flatMap((segments) => Object.entries(segments)),
);

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

/** The customer ids in a segment's file (generic profile: customer_id is the first column). */
async function writtenIds(id: string): Promise<string[]> {
  const [header, ...rows] = (await readFile(join(out, `${id}.csv`), "utf8")).split(/\r?\n/);
  expect(header.split(",")[0]).toBe("customer_id");
  return rows
    .filter((row) => row !== "")
    .map((row) => row.split(",")[0])
    .sort();
}

for (const [file, segments] of Object.entries(LIBRARY)) {
  describe(`segments/${file}`, () => {
    for (const [id, expected] of Object.entries(segments)) {
      it(`${id} writes exactly its boundary customers`, async () => {
        expect(await writtenIds(id)).toEqual(expected.written);
      });
    }
  });
}

describe("the whole library", () => {
  it("has no problem for `audience validate`", async () => {
    const run = await runCli(["validate", "segments/"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("23 segments in 5 files");
  });

  it("counts as many matched and reachable customers as the sets above", async () => {
    const run = await runCli(["count", "--config", CONFIG, "--json", "--quiet"]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      customers: number;
      buyers: number;
      segments: { id: string; matched: number; reachable: number }[];
    };
    // 69 contact rows, minus signup-after-as-of (not a customer yet on as_of), plus the phone-only
    // WhatsApp lead.
    expect([summary.customers, summary.buyers]).toEqual([69, 55]);
    expect(summary.segments.map((s) => s.id).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const { id, matched, reachable } of summary.segments) {
      const expected = EXPECTED[id];
      expect({ id, matched, reachable }).toEqual({
        id,
        matched: expected.written.length + (expected.notWritten?.length ?? 0),
        reachable: expected.written.length,
      });
    }
  });

  it("has the RFM cut points and grid worked out by hand above", async () => {
    const run = await runCli(["rfm", "--config", CONFIG, "--json", "--quiet"]);
    expect(run.code).toBe(0);
    const rfm = JSON.parse(run.stdout) as {
      buyers: number;
      cut_points: Record<string, number[]>;
      grid: number[][];
    };
    expect(rfm.buyers).toBe(55);
    expect(rfm.cut_points).toEqual({
      recency: [7, 29.6, 59.4, 181.2],
      // The quintiles 1 1 1 2 collapse; the fixture fixes thresholds that score like them.
      frequency: [1, 1.2, 1.4, 2],
      monetary: [20, 20, 24.8, 119.992],
    });
    // grid[R − 1][F − 1]; F2 and F3 are empty.
    expect(rfm.grid).toEqual([
      [10, 0, 0, 0, 1], // R1: 10 hibernating, rfm-cant-lose
      [8, 0, 0, 3, 0], // R2: 8 hibernating, 3 at_risk
      [5, 0, 0, 3, 3], // R3: 5 about_to_sleep, 6 loyal
      [9, 0, 0, 1, 2], // R4: 9 promising, 3 loyal
      [9, 0, 0, 1, 0], // R5: 9 new_customers, rfm-champion
    ]);
  });
});
