/**
 * What changed since the last build (docs/design.md#changes), end to end: the planted shop of
 * fixtures/segment-library built at two as_of dates into one output folder, in every output
 * profile (hashed where the profile allows it). Every `changes/<id>.entered.csv` and
 * `.exited.csv` is checked against the set difference of the two `<id>.csv` files, computed here
 * with csv-parse on the identifier columns named by each profile's header; the manifest, the
 * build table, `build --json` and `audience history --json` give the same counts.
 */
import { parse } from "csv-parse/sync";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const CONFIG = "fixtures/segment-library/audience.yaml";
const FIRST = "2026-06-30";
const SECOND = "2026-07-20";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-changes-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The columns a destination matches a member on, by header name (docs/design.md#changes as README documents it). */
const IDENTIFIERS: Record<string, string[]> = {
  generic: ["customer_id", "email", "phone"],
  klaviyo: ["Email", "Phone Number"],
  mailchimp: ["Email Address", "Phone Number"],
  brevo: ["EMAIL", "SMS"],
  meta: ["email", "phone"],
  "google-ads": ["Email", "Phone"],
};

interface Row {
  identity: string;
  raw: string;
}

/** The header line and rows of a CSV file, each row with its identity and its text as written. */
function rowsOf(text: string, format: string): { header: string; rows: Row[] } {
  const delimiter = format === "brevo" ? ";" : ",";
  const records = parse(text, { delimiter, raw: true }) as unknown as {
    record: string[];
    raw: string;
  }[];
  // csv-parse's `raw` stops before the last character of the record delimiter; files end lines with CRLF.
  const line = (raw: string) => `${raw.replace(/\r$/, "")}\r\n`;
  const [head, ...body] = records;
  const positions = IDENTIFIERS[format].map((name) => head.record.indexOf(name));
  expect(positions.every((p) => p >= 0)).toBe(true);
  return {
    header: line(head.raw),
    rows: body.map((r) => ({
      identity: JSON.stringify(positions.map((p) => r.record[p])),
      raw: line(r.raw),
    })),
  };
}

function build(out: string, asOf: string, args: string[]) {
  return runCli(["build", "--config", CONFIG, "--out", out, "--as-of", asOf, "--quiet", ...args]);
}

interface ManifestSegment {
  id: string;
  file: string;
  written: number;
  entered: number;
  exited: number;
  changes: { entered: { file: string }; exited: { file: string } };
}

async function manifestOf(out: string): Promise<ManifestSegment[]> {
  return (
    JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
      segments: ManifestSegment[];
    }
  ).segments;
}

const VARIANTS: { format: string; hash: boolean }[] = [
  { format: "generic", hash: false },
  { format: "klaviyo", hash: false },
  { format: "mailchimp", hash: false },
  { format: "brevo", hash: false },
  { format: "meta", hash: false },
  { format: "meta", hash: true },
  { format: "google-ads", hash: false },
  { format: "google-ads", hash: true },
];

/**
 * Stderr without the warnings that `--format meta|google-ads` leaves out the library segments'
 * own columns (those platforms refuse files with other columns).
 */
function withoutLeftOutColumns(stderr: string): string {
  return stderr.replace(
    /^warning [a-z0-9-]+: columns .* left out: format (meta|google-ads) takes only its own columns\n/gm,
    "",
  );
}

describe("two builds of the planted shop", () => {
  for (const { format, hash } of VARIANTS) {
    const name = `${format}${hash ? " --hash" : ""}`;
    it(`${name}: entered and exited are the set differences of the two files, row for row`, async () => {
      const out = join(work, `${format}${hash ? "-hash" : ""}`, "out");
      const args = ["--format", format, ...(hash ? ["--hash"] : [])];
      const first = await build(out, FIRST, args);
      expect([first.code, withoutLeftOutColumns(first.stderr)]).toEqual([0, ""]);
      const before = new Map<string, string>();
      for (const s of await manifestOf(out))
        before.set(s.id, await readFile(join(out, s.file), "utf8"));
      // The first build: everything entered, nothing exited.
      for (const s of await manifestOf(out)) {
        const file = before.get(s.id) ?? "";
        expect(await readFile(join(out, s.changes.entered.file), "utf8")).toBe(file);
        expect(await readFile(join(out, s.changes.exited.file), "utf8")).toBe(
          rowsOf(file, format).header,
        );
        expect([s.entered, s.exited]).toEqual([s.written, 0]);
      }

      const second = await build(out, SECOND, [...args, "--json"]);
      expect([second.code, withoutLeftOutColumns(second.stderr)]).toEqual([0, ""]);
      const summary = JSON.parse(second.stdout) as {
        segments: { id: string; written: number; entered: number; exited: number }[];
      };
      const manifest = await manifestOf(out);
      let entered = 0;
      let exited = 0;
      let stayedChanged = 0;
      for (const s of manifest) {
        const old = rowsOf(before.get(s.id) ?? "", format);
        const now = rowsOf(await readFile(join(out, s.file), "utf8"), format);
        const oldIds = new Set(old.rows.map((r) => r.identity));
        const nowIds = new Set(now.rows.map((r) => r.identity));
        const wantEntered = now.rows.filter((r) => !oldIds.has(r.identity)).map((r) => r.raw);
        const wantExited = old.rows.filter((r) => !nowIds.has(r.identity)).map((r) => r.raw);
        const gotEntered = await readFile(join(out, s.changes.entered.file), "utf8");
        const gotExited = await readFile(join(out, s.changes.exited.file), "utf8");
        expect({ id: s.id, entered: gotEntered }).toEqual({
          id: s.id,
          entered: now.header + wantEntered.join(""),
        });
        expect({ id: s.id, exited: gotExited }).toEqual({
          id: s.id,
          exited: old.header + wantExited.join(""),
        });
        expect([s.entered, s.exited, s.written]).toEqual([
          wantEntered.length,
          wantExited.length,
          now.rows.length,
        ]);
        expect(summary.segments.find((x) => x.id === s.id)).toMatchObject({
          written: s.written,
          entered: s.entered,
          exited: s.exited,
        });
        entered += wantEntered.length;
        exited += wantExited.length;
        // Members in both files whose row changed (days since their last order, say) are neither.
        const oldRaw = new Map(old.rows.map((r) => [r.identity, r.raw]));
        stayedChanged += now.rows.filter(
          (r) => oldRaw.has(r.identity) && oldRaw.get(r.identity) !== r.raw,
        ).length;
      }
      // The planted shop moves between the two dates in every direction.
      expect(entered).toBeGreaterThanOrEqual(15);
      expect(exited).toBeGreaterThanOrEqual(15);
      // Meta and Google Ads files hold identifiers only: a member's row cannot change there.
      if (!hash && format !== "meta" && format !== "google-ads")
        expect(stayedChanged).toBeGreaterThan(0);

      const history = await runCli(["history", "--out", out, "--json"]);
      expect(history.code).toBe(0);
      const builds = (
        JSON.parse(history.stdout) as {
          builds: { as_of: string; built_at: string; segments: Record<string, unknown> }[];
        }
      ).builds;
      expect(builds.map((b) => b.as_of)).toEqual([FIRST, SECOND]);
      expect(builds[1].segments).toEqual(
        Object.fromEntries(
          summary.segments.map((s) => [
            s.id,
            {
              matched: expect.any(Number) as number,
              reachable: expect.any(Number) as number,
              written: s.written,
              entered: s.entered,
              exited: s.exited,
            },
          ]),
        ),
      );
      expect(Object.keys(builds[0].segments)).toEqual(manifest.map((s) => s.id));
    });
  }

  it("shows +entered −exited in the build table", async () => {
    const out = join(work, "table", "out");
    expect((await build(out, FIRST, [])).code).toBe(0);
    const run = await build(out, SECOND, ["--only", "rfm-occasional,one-time-lapsed"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        "  segment          matched  reachable  % of base  channel  written  entered  exited  file",
        `  one-time-lapsed       18         18      25.7%  email         18       +6      −0  ${out}/one-time-lapsed.csv`,
        `  rfm-occasional        46         44      65.7%  email         44       +0      −2  ${out}/rfm-occasional.csv`,
      ].join("\n"),
    );
  });
});

describe("the comparison", () => {
  const FIXTURE = join(REPO_ROOT, "fixtures/build");

  it("starts over when --hash changes: hashed and clear rows are never compared", async () => {
    const out = join(work, "rehash", "out");
    const args = ["build", "--config", "fixtures/build/audience.yaml", "--out", out, "--quiet"];
    expect((await runCli([...args, "--format", "meta"])).code).toBe(0);
    const run = await runCli([...args, "--format", "meta", "--hash", "--only", "crm"]);
    expect([run.code, run.stderr]).toEqual([
      0,
      "warning crm: its columns changed since the previous build (profile, --hash or columns:), so every row counts as entered\n",
    ]);
    expect(await readFile(join(out, "changes/crm.entered.csv"), "utf8")).toBe(
      await readFile(join(out, "crm.csv"), "utf8"),
    );
    expect(await readFile(join(out, "changes/crm.exited.csv"), "utf8")).toBe(
      "email,phone,fn,ln,zip,ct,st,country\r\n",
    );
    // The same --hash again compares hashed rows with hashed rows: nothing moved.
    const again = await runCli([...args, "--format", "meta", "--hash", "--only", "crm"]);
    expect([again.code, again.stderr]).toEqual([0, ""]);
    const crm = (await manifestOf(out)).find((s) => s.id === "crm");
    expect([crm?.entered, crm?.exited]).toEqual([0, 0]);
  });

  it("--only keeps the other segments' changes of last time; a new header starts over", async () => {
    const dir = await mkdtemp(join(work, "only-"));
    await cp(FIXTURE, dir, { recursive: true });
    const out = join(dir, "out");
    const args = ["build", "--config", join(dir, "audience.yaml"), "--out", out, "--quiet"];
    expect((await runCli(args)).code).toBe(0);
    // Tomorrow: c7 is gone from the contacts (its orders stay), Jean's phone changes.
    const contacts = await readFile(join(dir, "contacts.csv"), "utf8");
    await writeFile(
      join(dir, "contacts.csv"),
      contacts.replace("06 39 98 00 05", "06 39 98 00 55"),
    );
    expect((await runCli(args)).code).toBe(0);
    const smsEntered = await readFile(join(out, "changes/sms-all.entered.csv"), "utf8");
    const smsExited = await readFile(join(out, "changes/sms-all.exited.csv"), "utf8");
    // A changed identifier is a different contact for the destination: old one out, new one in.
    expect(smsEntered).toBe(
      "customer_id,email,phone,first_name,last_name\r\nc5,,+33639980055,Anne,Petit\r\n",
    );
    expect(smsExited).toBe(
      "customer_id,email,phone,first_name,last_name\r\nc5,,+33639980005,Anne,Petit\r\n",
    );

    const only = await runCli([...args, "--only", "everyone", "--format", "klaviyo"]);
    expect(only.code).toBe(0);
    expect(only.stderr).toBe(
      "warning everyone: its columns changed since the previous build (profile, --hash or columns:), so every row counts as entered\n",
    );
    expect(await readFile(join(out, "changes/sms-all.entered.csv"), "utf8")).toBe(smsEntered);
    expect(await readFile(join(out, "changes/sms-all.exited.csv"), "utf8")).toBe(smsExited);
    expect(await readFile(join(out, "changes/everyone.entered.csv"), "utf8")).toBe(
      await readFile(join(out, "everyone.csv"), "utf8"),
    );
    expect((await readdir(join(out, "changes"))).sort()).toEqual([
      "buyers.entered.csv",
      "buyers.exited.csv",
      "crm.entered.csv",
      "crm.exited.csv",
      "everyone.entered.csv",
      "everyone.exited.csv",
      "sms-all.entered.csv",
      "sms-all.exited.csv",
    ]);
    const manifest = await manifestOf(out);
    expect(manifest.map((s) => [s.id, s.entered, s.exited])).toEqual([
      ["everyone", 4, 0],
      ["sms-all", 1, 1],
      ["buyers", 1, 1],
      ["crm", 1, 1],
    ]);
    // The history records what each build computed: --only builds the segments it names.
    const history = await runCli(["history", "--out", out, "--json"]);
    const builds = (JSON.parse(history.stdout) as { builds: { segments: object }[] }).builds;
    expect(builds.map((b) => Object.keys(b.segments))).toEqual([
      ["everyone", "sms-all", "buyers", "crm"],
      ["everyone", "sms-all", "buyers", "crm"],
      ["everyone"],
    ]);
  });
});
