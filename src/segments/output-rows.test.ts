/**
 * A segment file's rows: customer-key order, and the per-file dedupe of shared identifiers (an
 * email two customers share is written once; a row left with no identifier is dropped), which a
 * segment with `channel: none` does not do.
 */
import { describe, expect, it } from "vitest";
import { loadShop } from "../../test/helpers/shop.js";
import { customersByKey, rowShape, segmentLines } from "./output-rows.js";

const CONTACTS = [
  "customer_id,email,email_consent",
  "c3,shared@example.com,yes",
  "c1,shared@example.com,yes",
  "c2,own@example.com,yes",
].join("\n");

async function lines(channel: string): Promise<{ lines: string[]; seen: string[][] }> {
  const shop = await loadShop({
    contacts: CONTACTS,
    orders: "order_id,customer_id,created_at,total\n1,c1,2026-06-01,10\n",
    segments: `segments:\n  all:\n    where: known_contact\n    channel: ${channel}\n    columns: [customer_id]\n`,
  });
  const { profiles } = shop.data;
  const result = shop.results[0];
  const shape = rowShape(profiles, result.segment, "generic", false, new Map());
  const seen: string[][] = [];
  const out = [
    ...segmentLines(profiles, result, shape, customersByKey(profiles), (cells) =>
      seen.push([...cells]),
    ),
  ];
  return { lines: out, seen };
}

describe("segment rows", () => {
  it("writes members in customer-key order, a shared email once, and drops an emptied row", async () => {
    const { lines: out, seen } = await lines("email");
    // c3's only identifier is c1's email, already written: c3 has no row.
    expect(out).toEqual([
      "customer_id,email,phone,first_name,last_name,customer_id\r\n",
      "c1,shared@example.com,,,,c1\r\n",
      "c2,own@example.com,,,,c2\r\n",
    ]);
    expect(seen.map((cells) => cells[0])).toEqual(["c1", "c2"]);
  });

  it("channel none keeps every member and every value", async () => {
    const { lines: out } = await lines("none");
    expect(out).toEqual([
      "customer_id,email,phone,first_name,last_name,customer_id\r\n",
      "c1,shared@example.com,,,,c1\r\n",
      "c2,own@example.com,,,,c2\r\n",
      "c3,shared@example.com,,,,c3\r\n",
    ]);
  });
});
