/**
 * No personal data in logs: every command runs on the demo shop, with bad rows added so that every
 * warning and reject path fires (invalid emails and phones, personal data in date and amount
 * columns, conflicting consent, unknown words, strict mode, bad definitions, a file without its
 * header line), and no email or phone number of the data may appear on stdout or stderr. The
 * audience files themselves carry them, of course; they are not looked at here.
 */
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PhoneNormalizer, compactPhone } from "../src/model/phone.js";
import { REPO_ROOT, runCli, type CliRun } from "./helpers/run-cli.js";

let shop: string;
let secrets: string[];

beforeAll(async () => {
  shop = await mkdtemp(join(tmpdir(), "audience-privacy-"));
  await cp(join(REPO_ROOT, "fixtures/demo"), shop, { recursive: true });
  await writeFile(
    join(shop, "audience.yaml"),
    (await readFile(join(shop, "audience.yaml"), "utf8")).replace(
      "segments: ../../segments",
      `segments: ${join(REPO_ROOT, "segments")}`,
    ),
  );
  // Bad rows that carry personal data into the places messages look at.
  await appendFile(
    join(shop, "contacts.csv"),
    [
      "X1,not-an-email,12345,Privée,Personne,2025-01-01 10:00:00,instagram,perhaps,yes,,FR,Paris,75011,,",
      "X2,hidden.person@example.com,06 39 97 11 22,Cachée,Personne,hidden.person@example.com,store,yes,yes,,FR,Lyon,69001,,",
      "X2,,+33 6 39 97 11 22,,,,,no,,,,,,,",
      ",,,Sans,Clé,2025-01-01 10:00:00,,,,,,,,,",
      "",
    ].join("\n"),
  );
  await appendFile(
    join(shop, "orders.csv"),
    [
      "900001,X2,,06 39 97 11 22,paid,web,10.00,,EUR,Crème,CRE,Crème,1,10.00",
      "900002,X2,,2026-06-01 10:00:00,paid,web,other.secret@example.org,,EUR,Crème,CRE,Crème,1,10.00",
      "900003,,guest.secret@example.net,2026-06-02 10:00:00,paid,web,10.00,,EUR,Crème,CRE,Crème,1,10.00",
      "",
    ].join("\n"),
  );
  await appendFile(join(shop, "events.csv"), ",+33639971133,whatsapp_inbound,+33639971133,no,\n");
  // An export saved without its header line: the first row of data stands where headers go.
  const contacts = await readFile(join(shop, "contacts.csv"), "utf8");
  await writeFile(join(shop, "contacts-no-header.csv"), contacts.slice(contacts.indexOf("\n") + 1));

  // Every email and phone number in the data, in the spellings a message could use.
  const fr = new PhoneNormalizer("FR");
  const found = new Set<string>();
  for (const file of ["contacts.csv", "orders.csv", "events.csv", "lists.csv"]) {
    const rows = parse(await readFile(join(shop, file), "utf8"), {
      relax_column_count: true,
    }) as string[][];
    for (const row of rows.slice(1)) {
      for (const cell of row) {
        const value = cell.trim();
        if (value.includes("@") && value.length > 3) {
          found.add(value);
          found.add(value.toLowerCase());
        }
        const digits = compactPhone(value);
        if (digits.replace("+", "").length >= 9 && !/^\d{4}-/.test(value)) {
          found.add(value.replace(/^'/, ""));
          found.add(digits);
          const e164 = fr.toE164(value);
          if (e164 !== undefined) {
            found.add(e164);
            found.add(e164.slice(1));
          }
        }
      }
    }
  }
  secrets = [...found];
});

afterAll(async () => {
  await rm(shop, { recursive: true, force: true });
});

function leaks(run: CliRun): string[] {
  const text = `${run.stdout}\n${run.stderr}`;
  return secrets.filter((s) => text.includes(s));
}

describe("personal data in logs", () => {
  it("knows enough personal data to look for", () => {
    expect(secrets.length).toBeGreaterThan(3000);
    expect(secrets).toContain("hidden.person@example.com");
    expect(secrets).toContain("+33639971122");
  });

  it("appears in no command's output, with every warning path triggered", async () => {
    const config = ["--config", join(shop, "audience.yaml")];
    const out = join(shop, "out");
    const runs: [string, CliRun][] = [];
    const run = async (...args: string[]) => runs.push([args.join(" "), await runCli(args)]);
    await run("rfm", ...config);
    await run("rfm", ...config, "--json");
    await run("channels", ...config);
    await run("channels", ...config, "--json");
    await run("count", ...config);
    await run("count", ...config, "--json", "--exclusive");
    await run("build", ...config, "--out", out, "--rejects", join(shop, "rejects.csv"));
    await run("build", ...config, "--out", out, "--json", "--format", "meta", "--hash");
    await run("build", ...config, "--out", out, "--strict");
    await run("validate", join(REPO_ROOT, "segments"), "--config", join(shop, "audience.yaml"));
    await run("validate", join(REPO_ROOT, "fixtures/bad-segments"), "--format", "github");
    await run("count", ...config, "--only", "nobody");
    await run("demo", "--out", join(shop, "demo2"), "--contacts", "200");

    // The warning and reject paths did run.
    const build = runs[6][1];
    expect(build.code).toBe(0);
    expect(build.stderr).toContain("invalid email left out");
    expect(build.stderr).toContain("invalid phone left out");
    expect(build.stderr).toContain("value hidden: it may be personal data");
    expect(build.stderr).toContain("duplicate contact rows disagree on consent; kept no");
    expect(build.stderr).toContain("unrecognised email_consent value, read as no");
    expect(runs[8][1].code).toBe(1);
    // The rejects file is a data file the user asked for: it has the rows, and that is fine.
    expect(await readFile(join(shop, "rejects.csv"), "utf8")).toContain("other.secret@example.org");

    for (const [command, result] of runs)
      expect({ command, leaks: leaks(result) }).toEqual({ command, leaks: [] });
  });

  it("appears in no report page: OUT/report.html and report --html, skipped rows and warnings shown", async () => {
    const config = ["--config", join(shop, "audience.yaml")];
    const out = join(shop, "out-report");
    expect((await runCli(["build", ...config, "--out", out, "--quiet"])).code).toBe(0);
    const html = join(shop, "report.html");
    expect((await runCli(["report", ...config, "--html", html, "--quiet"])).code).toBe(0);
    for (const page of [
      await readFile(join(out, "report.html"), "utf8"),
      await readFile(html, "utf8"),
    ]) {
      expect(page).toContain("Skipped rows by reason");
      expect(page).toContain("Warnings");
      expect(page).toContain("invalid email left out");
      expect(secrets.filter((s) => page.includes(s))).toEqual([]);
    }
  });

  it("appears in no message about a file without its header line (its first row stands for headers)", async () => {
    const run = await runCli([
      "rfm",
      "--contacts",
      join(shop, "contacts-no-header.csv"),
      "--orders",
      join(shop, "orders.csv"),
      "--as-of",
      "2026-06-30",
    ]);
    expect(run.code).toBe(1);
    expect(leaks(run)).toEqual([]);
  });
});
