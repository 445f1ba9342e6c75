/**
 * The two promises every segment file keeps, whatever the output profile (docs/design.md#outputs, README
 * "Output files"): rows sorted by customer key, and each identifier (email, phone, or their hash)
 * at most once per file. fixtures/invariants/ lists its contacts out of key order, with an email
 * shared by k02 and k07 (in two cases) and a phone shared by k01, k05 and k10 (typed two ways),
 * so neither promise holds by accident of the input.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_PROFILES } from "../src/segments/output-profiles.js";
import { runCli } from "./helpers/run-cli.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-invariants-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Reference, email, phone of the rows each file must hold, in this order. */
type Row = [ref: string, email: string, phone: string];
const EXPECTED: Record<string, Row[]> = {
  // channel any: k01 (the smallest key) keeps the shared phone, k02 the shared email; k07 and
  // k08 have nothing left of their own and are not written.
  reachable: [
    ["a.noid@example.com", "a.noid@example.com", "+33639980009"],
    ["k01", "one@example.com", "+33639980050"],
    ["k02", "family@example.com", "+33639980002"],
    ["k05", "five@example.com", ""],
    ["k10", "ten@example.com", ""],
  ],
  // channel sms: phones only, so k05, k08 and k10 (whose phone an earlier key has) are left out.
  sms: [
    ["a.noid@example.com", "", "+33639980009"],
    ["k01", "", "+33639980050"],
    ["k02", "", "+33639980002"],
  ],
};

/** The identifier headers of each profile (email column, phone column). */
const ID_HEADERS: Record<string, [string, string]> = {
  generic: ["email", "phone"],
  klaviyo: ["Email", "Phone Number"],
  mailchimp: ["Email Address", "Phone Number"],
  brevo: ["EMAIL", "SMS"],
  meta: ["email", "phone"],
  "google-ads": ["Email", "Phone"],
};

const RUNS: { format: string; hash: boolean }[] = [
  ...Object.keys(ID_HEADERS).map((format) => ({ format, hash: false })),
  { format: "meta", hash: true },
  { format: "google-ads", hash: true },
];

/** An identifier as the profile writes it. */
function written(format: string, hash: boolean, kind: "email" | "phone", value: string): string {
  if (!hash || value === "") return value;
  if (format === "meta" && kind === "phone") return sha(value.replace(/\D/g, ""));
  return sha(value);
}

describe("every file of every output profile", () => {
  it("covers every profile the tool has", () => {
    expect(Object.keys(ID_HEADERS).sort()).toEqual(Object.keys(OUTPUT_PROFILES).sort());
  });

  for (const { format, hash } of RUNS) {
    const name = `${format}${hash ? " --hash" : ""}`;
    it(`${name}: rows sorted by customer key, each identifier once per file`, async () => {
      const out = join(work, `${format}${hash ? "-hash" : ""}`);
      const args = ["build", "--config", "fixtures/invariants/audience.yaml", "--out", out];
      const run = await runCli([...args, "--format", format, ...(hash ? ["--hash"] : [])]);
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      const delimiter = format === "brevo" ? ";" : ",";
      for (const [segment, rows] of Object.entries(EXPECTED)) {
        const lines = (await readFile(join(out, `${segment}.csv`), "utf8")).split("\r\n");
        expect(lines.pop()).toBe("");
        const [header, ...body] = lines.map((line) => line.split(delimiter));
        const emailAt = header.indexOf(ID_HEADERS[format][0]);
        const phoneAt = header.indexOf(ID_HEADERS[format][1]);
        expect(emailAt).toBeGreaterThanOrEqual(0);
        expect(phoneAt).toBeGreaterThanOrEqual(0);
        // Google Ads and Meta take their own columns only: the segment's `ref` column is left out.
        const fixed = format === "meta" || format === "google-ads";
        expect(header.at(-1) === "ref").toBe(!fixed);
        const got = body.map((cells) => [
          ...(fixed ? [] : [cells.at(-1)]),
          cells[emailAt],
          cells[phoneAt],
        ]);
        expect(got).toEqual(
          rows.map(([ref, email, phone]) => [
            ...(fixed ? [] : [ref]),
            written(format, hash, "email", email),
            written(format, hash, "phone", phone),
          ]),
        );
        // The promise itself, stated apart from the expected rows.
        if (!fixed) {
          const refs = body.map((cells) => cells.at(-1) as string);
          expect(refs).toEqual([...refs].sort());
        }
        for (const at of [emailAt, phoneAt]) {
          const ids = body.map((cells) => cells[at]).filter((v) => v !== "");
          expect(new Set(ids).size).toBe(ids.length);
        }
      }
    });
  }
});
