/**
 * The shopify preset reads Shopify's real export formats into the same profiles as the same
 * people in canonical columns (fixtures/shopify/, written by scripts/make-shopify-fixture.mjs).
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../config/load-config.js";
import { resolveSettings } from "../config/settings.js";
import { needsPredictions, PROFILE_FIELDS } from "../dsl/env.js";
import type { Value } from "../dsl/evaluator.js";
import { loadProfiles } from "./read-inputs.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function profilesOf(config: string) {
  const path = `${ROOT}${config}`;
  const values = loadConfigText(config, await readFile(path, "utf8")).values;
  const settings = resolveSettings(
    { values, dir: dirname(path), file: { path, display: config } },
    {},
    ROOT,
  );
  const fields = [...PROFILE_FIELDS.keys()].filter((f) => !needsPredictions(f));
  const data = await loadProfiles({
    settings,
    asOf: settings.asOf as number,
    needs: { aggregates: [], fields },
  });
  const getters = fields.map((f) => [f, data.profiles.field(f)] as const);
  const byKey = new Map<string, Record<string, Value>>();
  for (let c = 0; c < data.profiles.size; c++) {
    const profile: Record<string, Value> = {};
    for (const [name, get] of getters) profile[name] = get(c);
    byKey.set(data.profiles.store.key(c), profile);
  }
  return { byKey, data };
}

describe("shopify preset", () => {
  it("gives the same profile, field by field, as the canonical twin", async () => {
    const shopify = await profilesOf("fixtures/shopify/audience.yaml");
    const canonical = await profilesOf("fixtures/shopify/canonical/audience.yaml");
    expect([...shopify.byKey.keys()].sort()).toEqual([...canonical.byKey.keys()].sort());
    expect(shopify.byKey.size).toBe(13);
    for (const [key, profile] of canonical.byKey)
      expect({ key, ...shopify.byKey.get(key) }).toEqual({ key, ...profile });
    expect(shopify.data.rejects.rejectedCount()).toBe(0);
  });

  it("reads Shopify's shapes: apostrophes, yes/no, address phone fallback, multi-row orders, cancelled and refunded orders", async () => {
    const { byKey } = await profilesOf("fixtures/shopify/audience.yaml");
    expect(byKey.get("7210448301122")).toMatchObject({
      customer_id: "7210448301122",
      email: "camille.martin@example.com",
      phone: "+33639981001",
      email_consent: true,
      sms_consent: true,
      tags: ["newsletter", "vip"], // a set in name order (docs/design.md#inputs)
      orders_count: 3,
      // 74.80 + (119.00 − 35.70 refunded) + 22.90
      total_spent: 181,
      last_order_channel: "pos",
    });
    // Phone empty, Default Address Phone used; email in capitals in both files.
    expect(byKey.get("7210448301123")).toMatchObject({
      email: "lea.bernard@example.com",
      phone: "+33639981002",
      email_consent: false,
    });
    // #1004 refunded does not count; #1005 at 23:30 −0500 is 3 March in Paris.
    expect(byKey.get("7210448301124")).toMatchObject({
      orders_count: 1,
      total_spent: 44.8,
      last_order_date: 20515,
    });
    // #1006 was cancelled (Cancelled at set although Financial Status says paid).
    expect(byKey.get("7210448301125")).toMatchObject({
      orders_count: 1,
      total_spent: 61.8,
      zip: "13006",
    });
    // A guest checkout becomes a customer found only in orders.
    expect(byKey.get("guest.buyer@example.com")).toMatchObject({
      known_contact: false,
      orders_count: 1,
      acquisition_channel: "web",
    });
  });
});
