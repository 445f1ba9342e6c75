/**
 * `audience build` end to end on fixtures/build/: every output profile's exact header and rows,
 * hashing, CSV injection, exclusive mode, guards, determinism and the output folder's life cycle.
 */
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-build-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const CONFIG = "fixtures/build/audience.yaml";

async function build(out: string, ...args: string[]) {
  return runCli(["build", "--config", CONFIG, "--out", out, ...args]);
}

function lines(text: string): string[] {
  return text.split("\r\n");
}

describe("output profiles", () => {
  const expected: Record<string, string[]> = {
    generic: [
      "customer_id,email,phone,first_name,last_name,total_spent,last_order_date,tags,last_product",
      'c1,marie.dupont@example.com,,Marie,Dupont,75.9,2026-06-20,vip,"\'=HYPERLINK(""x"")"',
      "c2,jean.martin@example.com,,'=cmd|' /C calc'!A0,Martin,12.5,2026-03-02,,Nettoyant doux",
      'c4,lea@example.net,,\'@Lea,"Bernard, née Roux",0,,newsletter,',
      "c5,shared@example.org,,Anne,Petit,20,2026-05-05,,Crème mains",
      "",
    ],
    klaviyo: [
      "Email,Phone Number,First Name,Last Name,total_spent,last_order_date,tags,last_product",
      'marie.dupont@example.com,,Marie,Dupont,75.9,2026-06-20,vip,"\'=HYPERLINK(""x"")"',
    ],
    mailchimp: [
      "Email Address,First Name,Last Name,Phone Number,total_spent,last_order_date,tags,last_product",
      'marie.dupont@example.com,Marie,Dupont,,75.9,2026-06-20,vip,"\'=HYPERLINK(""x"")"',
    ],
    brevo: [
      "EMAIL;SMS;FIRSTNAME;LASTNAME;total_spent;last_order_date;tags;last_product",
      'marie.dupont@example.com;;Marie;Dupont;75.9;2026-06-20;vip;"\'=HYPERLINK(""x"")"',
      "jean.martin@example.com;;'=cmd|' /C calc'!A0;Martin;12.5;2026-03-02;;Nettoyant doux",
      "lea@example.net;;'@Lea;Bernard, née Roux;0;;newsletter;",
    ],
    // Meta and Google Ads take their own columns only: the segment's `columns:` are left out.
    meta: [
      "email,phone,fn,ln,zip,ct,st,country",
      "marie.dupont@example.com,,Marie,Dupont,75011,,,fr",
    ],
    "google-ads": [
      "Email,Phone,First Name,Last Name,Country,Zip",
      "marie.dupont@example.com,,Marie,Dupont,FR,75011",
    ],
  };

  for (const [format, want] of Object.entries(expected)) {
    it(`${format}: exact header and rows, emails trimmed and lowercased`, async () => {
      const out = join(work, `profile-${format}`);
      const run = await build(out, "--format", format);
      expect(run.stderr).not.toContain("error");
      expect(run.stderr.includes("left out: format")).toBe(
        format === "meta" || format === "google-ads",
      );
      expect(run.code).toBe(0);
      const file = lines(await readFile(join(out, "everyone.csv"), "utf8"));
      expect(file.slice(0, want.length)).toEqual(want);
    });
  }

  it("writes phones in E.164 and keeps a '+33…' phone intact while guarding the same text in a name", async () => {
    const out = join(work, "sms");
    expect((await build(out, "--format", "klaviyo")).code).toBe(0);
    expect(lines(await readFile(join(out, "sms-all.csv"), "utf8"))).toEqual([
      "Email,Phone Number,First Name,Last Name",
      ",+33639980001,Marie,Dupont",
      ",+33639980003,'+33639980003,'-Durand",
      ",+33639980005,Anne,Petit",
      ",+33639980007,Luc,Moreau",
      "",
    ]);
  });

  it("hashes meta identifiers with Meta's normalization (phone digits without +)", async () => {
    const out = join(work, "meta-hash");
    expect((await build(out, "--format", "meta", "--hash")).code).toBe(0);
    const [header, first] = lines(await readFile(join(out, "crm.csv"), "utf8"));
    expect(header).toBe("email,phone,fn,ln,zip,ct,st,country");
    expect(first.split(",")).toEqual([
      // sha256("marie.dupont@example.com")
      "b5cbc7ef6b9c25b337ae8635aafa418c0640234d97f7088fab2ab71613777583",
      // sha256("33639980001")
      "0ac07ea8c3208d8c5864f59b69ff83441a02d4365124a262156ac68193416ac2",
      // sha256("marie"), sha256("dupont"), sha256("75011"), no city, no state, sha256("fr")
      "c6d17a3613b9914e68707fcfac8410f097643bc5840681bb533030d73cbb18f8",
      "b043864b7ffb308f63b438a86e60c6d231aae29e020be80c944801e065229e15",
      "02561490e9af307159822035f8b9a4f32c82568ac651546408c0654e4d7933e8",
      "",
      "",
      "67ad8f41a7bb0a18c45f3efd8f6a32bdcd832bcf8f3f2eb44006c03d53076e18",
    ]);
  });

  it("hashes google-ads identifiers (phone in E.164 with +), not country and zip", async () => {
    const out = join(work, "google-hash");
    expect((await build(out, "--format", "google-ads", "--hash")).code).toBe(0);
    const [, first] = lines(await readFile(join(out, "crm.csv"), "utf8"));
    expect(first.split(",")).toEqual([
      "b5cbc7ef6b9c25b337ae8635aafa418c0640234d97f7088fab2ab71613777583",
      // sha256("+33639980001")
      "9150f24161949a0fd167c9613705f8152f0aa13c84fe20b29841aed212639ed9",
      "c6d17a3613b9914e68707fcfac8410f097643bc5840681bb533030d73cbb18f8",
      "b043864b7ffb308f63b438a86e60c6d231aae29e020be80c944801e065229e15",
      "FR",
      "75011",
    ]);
  });

  it("writes one row per identifier: a shared email appears once", async () => {
    const out = join(work, "dedupe");
    const run = await build(out, "--json");
    const summary = JSON.parse(run.stdout) as {
      segments: { id: string; matched: number; reachable: number; written: number }[];
    };
    expect(summary.segments.find((s) => s.id === "everyone")).toEqual({
      id: "everyone",
      matched: 7,
      reachable: 5,
      written: 4,
      file: `${out}/everyone.csv`,
      entered: 4,
      exited: 0,
    });
    const file = await readFile(join(out, "everyone.csv"), "utf8");
    expect(file.match(/shared@example\.org/g)).toHaveLength(1);
  });
});

describe("exclusive mode", () => {
  it("gives each customer to the first segment by priority, then appearance", async () => {
    const out = join(work, "exclusive");
    const run = await build(out, "--exclusive");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        "  segment   matched  reachable  assigned  % of base  channel  written  entered  exited  file",
        `  everyone        7          5         2     100.0%  email          2       +2      −0  ${out}/everyone.csv`,
        `  sms-all         7          4         0     100.0%  sms            0       +0      −0  ${out}/sms-all.csv`,
        `  buyers          5          5         5      71.4%  any            5       +5      −0  ${out}/buyers.csv`,
        `  crm             5          5         0      71.4%  none           0       +0      −0  ${out}/crm.csv`,
      ].join("\n"),
    );
    // buyers (priority 1) takes c1 c2 c3 c5 c7; everyone keeps c4 and c6 (c5's email, but c5 is not in this file).
    expect(lines(await readFile(join(out, "everyone.csv"), "utf8"))).toEqual([
      "customer_id,email,phone,first_name,last_name,total_spent,last_order_date,tags,last_product",
      'c4,lea@example.net,,\'@Lea,"Bernard, née Roux",0,,newsletter,',
      "c6,shared@example.org,,Anne-Sophie,Petit,0,,,",
      "",
    ]);
  });
});

describe("guards", () => {
  async function withGuard(guard: string): Promise<string> {
    const dir = await mkdtemp(join(work, "guard-"));
    await cp(join(REPO_ROOT, "fixtures/build"), dir, { recursive: true });
    const segments = await readFile(join(dir, "segments.yaml"), "utf8");
    await writeFile(
      join(dir, "segments.yaml"),
      segments.replace("    channel: sms\n", `    channel: sms\n    guard: ${guard}\n`),
    );
    return dir;
  }

  it("min: exit 3, names the segment and the numbers, writes nothing", async () => {
    const dir = await withGuard("{ min: 5 }");
    const run = await runCli([
      "build",
      "--config",
      join(dir, "audience.yaml"),
      "--out",
      join(dir, "out"),
      "--quiet",
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      "error a guard tripped; nothing was written:\n  sms-all: 4 rows, below its guard min 5\n" +
        "  hint: check today's exports; run with --force to write anyway\n",
    );
    expect(run.stdout).toBe("");
    expect((await readdir(dir)).filter((f) => f.startsWith(".out") || f === "out")).toEqual([]);
  });

  it("max: exit 3; --force writes anyway with a warning", async () => {
    const dir = await withGuard("{ max: 3 }");
    const outArgs = ["--out", join(dir, "out")];
    const blocked = await runCli([
      "build",
      "--config",
      join(dir, "audience.yaml"),
      ...outArgs,
      "--quiet",
    ]);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toContain("sms-all: 4 rows, above its guard max 3");
    const forced = await runCli([
      "build",
      "--config",
      join(dir, "audience.yaml"),
      ...outArgs,
      "--quiet",
      "--force",
    ]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(
      "guard overridden by --force sms-all: 4 rows, above its guard max 3",
    );
    expect(await readFile(join(dir, "out", "sms-all.csv"), "utf8")).toContain("+33639980007");
  });

  it("max_change: compares with the previous manifest and leaves the previous files in place", async () => {
    const dir = await withGuard("{ max_change: 30% }");
    const config = join(dir, "audience.yaml");
    const args = ["build", "--config", config, "--out", join(dir, "out"), "--quiet"];
    expect((await runCli(args)).code).toBe(0);
    const before = await readFile(join(dir, "out", "sms-all.csv"), "utf8");
    const manifestBefore = await readFile(join(dir, "out", "manifest.json"), "utf8");
    // Tomorrow's export lost two phone numbers: 4 → 2 rows is −50%.
    const contacts = await readFile(join(dir, "contacts.csv"), "utf8");
    await writeFile(
      join(dir, "contacts.csv"),
      contacts.replace("06 39 98 00 05", "").replace("06 39 98 00 07", ""),
    );
    const run = await runCli(args);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "sms-all: 2 rows vs 4 in the previous run (−50.0%), beyond its guard max_change 30%",
    );
    expect(await readFile(join(dir, "out", "sms-all.csv"), "utf8")).toBe(before);
    expect(await readFile(join(dir, "out", "manifest.json"), "utf8")).toBe(manifestBefore);
    expect((await runCli([...args, "--force"])).code).toBe(0);
    expect(await readFile(join(dir, "out", "sms-all.csv"), "utf8")).not.toBe(before);
  });
});

describe("determinism and the output folder", () => {
  it("gives byte-identical files and manifest (but its time) for the same inputs and as_of", async () => {
    const a = join(work, "det-a");
    const b = join(work, "det-b");
    expect((await build(a, "--format", "klaviyo")).code).toBe(0);
    expect((await build(b, "--format", "klaviyo")).code).toBe(0);
    const files = (await readdir(a)).sort();
    expect(files).toEqual([
      ".audience-output.json",
      "buyers.csv",
      "changes",
      "crm.csv",
      "everyone.csv",
      "history.jsonl",
      "manifest.json",
      "report.html",
      "sms-all.csv",
    ]);
    for (const f of files.filter((x) => x.endsWith(".csv") || x.endsWith(".html"))) {
      expect(await readFile(join(b, f))).toEqual(await readFile(join(a, f)));
    }
    const strip = (text: string) => text.replace(/"generated_at": "[^"]+"/, "");
    expect(strip(await readFile(join(b, "manifest.json"), "utf8"))).toBe(
      strip(await readFile(join(a, "manifest.json"), "utf8")),
    );
  });

  it("writes a manifest with inputs, segments and cut points", async () => {
    const out = join(work, "manifest");
    expect((await build(out)).code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      tool: "audience",
      as_of: "2026-06-30",
      timezone: "Europe/Paris",
      customers: 7,
      buyers: 5,
      inputs: [
        { kind: "contacts", path: "fixtures/build/contacts.csv", rows_read: 7, rows_skipped: {} },
        { kind: "orders", path: "fixtures/build/orders.csv", rows_read: 7, rows_skipped: {} },
      ],
    });
    const segments = manifest.segments as { id: string; sha256: string; file: string }[];
    expect(segments.map((s) => [s.id, s.file])).toEqual([
      ["everyone", "everyone.csv"],
      ["sms-all", "sms-all.csv"],
      ["buyers", "buyers.csv"],
      ["crm", "crm.csv"],
    ]);
    const { createHash } = await import("node:crypto");
    for (const s of segments) {
      expect(s.sha256).toBe(
        createHash("sha256")
          .update(await readFile(join(out, s.file)))
          .digest("hex"),
      );
    }
  });

  it("swaps the whole set: removed segments' files disappear, OUT is a link to the new build", async () => {
    const dir = await mkdtemp(join(work, "swap-"));
    await cp(join(REPO_ROOT, "fixtures/build"), dir, { recursive: true });
    const args = [
      "build",
      "--config",
      join(dir, "audience.yaml"),
      "--out",
      join(dir, "out"),
      "--quiet",
    ];
    expect((await runCli(args)).code).toBe(0);
    const firstTarget = await readlink(join(dir, "out"));
    const segments = await readFile(join(dir, "segments.yaml"), "utf8");
    await writeFile(join(dir, "segments.yaml"), segments.slice(0, segments.indexOf("  sms-all:")));
    expect((await runCli(args)).code).toBe(0);
    expect((await readdir(join(dir, "out"))).sort()).toEqual([
      ".audience-output.json",
      "changes",
      "everyone.csv",
      "history.jsonl",
      "manifest.json",
      "report.html",
    ]);
    expect((await readdir(join(dir, "out", "changes"))).sort()).toEqual([
      "everyone.entered.csv",
      "everyone.exited.csv",
    ]);
    expect((await lstat(join(dir, "out"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, "out"))).not.toBe(firstTarget);
    // Only the current build folder remains beside OUT; the lock is gone.
    expect((await readdir(dir)).filter((f) => f.startsWith(".out")).length).toBe(1);
  });

  it("keeps the other segments' files with --only", async () => {
    const out = join(work, "only");
    expect((await build(out, "--quiet")).code).toBe(0);
    const crm = await readFile(join(out, "crm.csv"));
    const run = await build(out, "--quiet", "--only", "everyone", "--format", "brevo");
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      ".audience-output.json",
      "buyers.csv",
      "changes",
      "crm.csv",
      "everyone.csv",
      "history.jsonl",
      "manifest.json",
      "report.html",
      "sms-all.csv",
    ]);
    expect(await readFile(join(out, "crm.csv"))).toEqual(crm);
    expect((await readFile(join(out, "everyone.csv"), "utf8")).startsWith("EMAIL;SMS")).toBe(true);
  });

  it("refuses an output path that is a file, or a folder of other files", async () => {
    const file = join(work, "a-file");
    await writeFile(file, "not a folder");
    const run = await build(file);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error --out ${file} is a file, not a folder\n  hint: choose a folder for the audience files\n`,
    );
    const folder = join(work, "documents");
    await cp(join(REPO_ROOT, "fixtures/build"), folder, { recursive: true });
    const other = await build(folder);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("is a folder with other files in it, not an output of audience");
    expect((await readdir(folder)).sort()).toEqual([
      "audience.yaml",
      "contacts.csv",
      "orders.csv",
      "segments.yaml",
    ]);
  });
});
