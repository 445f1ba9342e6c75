/**
 * `audience report --html` and OUT/report.html end to end (built CLI) on the demo shop: every
 * number in the page equals the `--json` of count, rfm and channels (build's for the build's
 * page), the page is self-contained and holds no personal data, and mistakes are clear errors.
 */
import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heatGrid, row, rowKeys, shownNumber } from "./helpers/report-page.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const DEMO = ["--config", "fixtures/demo/audience.yaml"];

interface CountsJson {
  customers: number;
  buyers: number;
  segments: { id: string; matched: number; reachable: number; written?: number }[];
}
interface RfmJson {
  revenue: number;
  cut_points: Record<"recency" | "frequency" | "monetary", number[]>;
  grid: number[][];
  segments: { name: string; customers: number; revenue: number; share: number }[];
}
interface ChannelsJson {
  channels: Record<string, number | string>[];
  top_20pct_revenue_share: number;
}

let work: string;
let page: string;

async function json<T>(args: string[], config = DEMO): Promise<T> {
  const run = await runCli([...args, ...config, "--json"]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const percent = (fraction: number) => Number((fraction * 100).toFixed(1));

/** Checks the page's numbers against the three JSON outputs. */
function expectNumbersOf(html: string, counts: CountsJson, rfm: RfmJson, channels: ChannelsJson) {
  expect(rowKeys(html, "data-segment")).toEqual(counts.segments.map((s) => s.id));
  for (const s of counts.segments) {
    const fields =
      s.written === undefined ? ["matched", "reachable"] : ["matched", "reachable", "written"];
    const shown = row(html, "data-segment", s.id, [...fields, "share"]);
    expect(shown).toEqual({
      matched: s.matched,
      reachable: s.reachable,
      ...(s.written === undefined ? {} : { written: s.written }),
      share: percent(s.matched / counts.customers),
    });
  }
  expect(heatGrid(html)).toEqual(rfm.grid);
  for (const s of rfm.segments) {
    expect(row(html, "data-rfm-segment", s.name, ["customers", "revenue", "share"])).toEqual({
      customers: s.customers,
      revenue: s.revenue,
      share: percent(s.share),
    });
  }
  expect(rowKeys(html, "data-channel")).toEqual(channels.channels.map((c) => c.channel));
  for (const c of channels.channels) {
    const fields = [
      "contacts",
      "buyers",
      "orders",
      "avg_order_value",
      "revenue",
      "revenue_per_contact",
    ];
    expect(
      row(html, "data-channel", String(c.channel), [...fields, "orders_per_buyer", "conversion"]),
    ).toEqual({
      ...Object.fromEntries(fields.map((f) => [f, c[f]])),
      // Shown as the terminal shows them: 2 decimals, and a percent with one.
      orders_per_buyer: Number(Number(c.orders_per_buyer).toFixed(2)),
      conversion: percent(Number(c.conversion)),
    });
  }
  const top20 = /data-field="top_20pct_revenue_share">([^<]*)</.exec(html);
  expect(shownNumber(top20?.[1] ?? "")).toBe(percent(channels.top_20pct_revenue_share));
  expect(row(html, "data-top", "20", ["revenue_share"])).toEqual({
    revenue_share: percent(channels.top_20pct_revenue_share),
  });
  const kpi = (name: string) =>
    shownNumber(
      new RegExp(`data-kpi="${name}">.*?<div class="kpi-value">([^<]*)<`).exec(html)?.[1] ?? "",
    );
  expect([kpi("customers"), kpi("buyers"), kpi("revenue")]).toEqual([
    counts.customers,
    counts.buyers,
    rfm.revenue,
  ]);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-report-"));
  const run = await runCli(["report", ...DEMO, "--html", join(work, "report.html")]);
  expect(run.stderr).not.toContain("error");
  expect(run.code).toBe(0);
  expect(run.stdout).toBe(
    `Wrote ${join(work, "report.html")}: 23 segments, 2,115 customers, as of 2026-06-30\n`,
  );
  page = await readFile(join(work, "report.html"), "utf8");
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("audience report --html", () => {
  it("shows the numbers of count, rfm and channels --json", async () => {
    const [counts, rfm, channels] = await Promise.all([
      json<CountsJson>(["count"]),
      json<RfmJson>(["rfm"]),
      json<ChannelsJson>(["channels"]),
    ]);
    expect(counts.segments).toHaveLength(23);
    expectNumbersOf(page, counts, rfm, channels);
    // The cut points, c1 to c4 of each score.
    for (const name of ["recency", "frequency", "monetary"] as const) {
      const tr = new RegExp(`<tr data-cut="${name}">(.*?)</tr>`).exec(page)?.[1] ?? "";
      const shown = [...tr.matchAll(/data-c="\d">([^<]*)</g)].map((m) => shownNumber(m[1]));
      expect(shown, name).toEqual(rfm.cut_points[name].map((v) => Math.round(v * 100) / 100));
    }
  });

  it("with an orders_filter (the UCI sample) shows what rfm and channels read: the same orders", async () => {
    const uci = ["--config", "fixtures/model/uci/audience.yaml"];
    const file = join(work, "uci.html");
    expect((await runCli(["report", ...uci, "--html", file, "--quiet"])).code).toBe(0);
    const html = await readFile(file, "utf8");
    const [counts, rfm, channels] = await Promise.all([
      json<CountsJson>(["count"], uci),
      json<RfmJson>(["rfm"], uci),
      json<ChannelsJson>(["channels"], uci),
    ]);
    expectNumbersOf(html, counts, rfm, channels);
    const stderr = (await runCli(["rfm", ...uci])).stderr;
    expect(stderr).toContain("104 rows left out by orders_filter");
    expect(stderr).not.toContain("negative order amount");
    expect(html).toContain("104 rows left out by orders_filter");
    expect(
      row(html, "data-skipped", "no customer key (customer_id, email or phone)", ["count"]),
    ).toEqual({ count: 195 });
  });

  it("shows each input and its rows, and says when no row was skipped", () => {
    expect(rowKeys(page, "data-input")).toEqual(["contacts", "orders", "events", "lists"]);
    expect(row(page, "data-input", "contacts", ["rows", "skipped"])).toEqual({
      rows: 2009,
      skipped: 0,
    });
    expect(row(page, "data-input", "orders", ["rows", "skipped"])).toEqual({
      rows: 10213,
      skipped: 0,
    });
    expect(page).toContain("2,000 customers, 9 duplicate rows merged");
    expect(page).toContain("No row was skipped.");
  });

  it("is one self-contained file: nothing to load, no script, the same bytes for the same inputs", async () => {
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=|https?:\/\//i);
    expect(page).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
    );
    const again = join(work, "again.html");
    expect((await runCli(["report", ...DEMO, "--html", again, "--quiet"])).code).toBe(0);
    expect(await readFile(again, "utf8")).toBe(page);
  });

  it("holds no personal data: no email, phone or name of the demo shop's contacts", async () => {
    const contacts = parse(await readFile(join(REPO_ROOT, "fixtures/demo/contacts.csv")), {
      columns: true,
    }) as Record<string, string>[];
    const lower = page.toLowerCase();
    const digitRuns = page.replace(/\D/g, " ");
    const found: string[] = [];
    for (const c of contacts) {
      const digits = c.phone.replace(/\D/g, "").slice(-9);
      if (c.email !== "" && lower.includes(c.email.trim().toLowerCase())) found.push(c.email);
      if (digits.length === 9 && digitRuns.includes(digits)) found.push(c.phone);
      const name = `${c.first_name} ${c.last_name}`;
      if (c.last_name !== "" && page.includes(name)) found.push(name);
    }
    expect(found).toEqual([]);
    expect(page).not.toMatch(/[\w.+-]+@[\w-]+\.[a-z]{2,}/i);
  });

  it("refuses a missing --html, a folder, an input file, and a folder that does not exist", async () => {
    const none = await runCli(["report", ...DEMO, "--quiet"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("required option '--html <file>' not specified");

    const folder = await runCli(["report", ...DEMO, "--quiet", "--html", work]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`error --html ${work} is a folder`);

    const input = await runCli(["report", ...DEMO, "--quiet", "--html", "fixtures/demo/lists.csv"]);
    expect(input.code).toBe(2);
    expect(input.stderr).toContain(
      "error --html fixtures/demo/lists.csv is a file this run reads: it would be overwritten",
    );

    const missing = join(work, "no-such-folder", "r.html");
    const gone = await runCli(["report", ...DEMO, "--quiet", "--html", missing]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`error cannot write --html ${missing}: its folder does not exist\n`);
    expect(await readdir(work)).not.toContain("no-such-folder");
  });
});

describe("report --out with a hand-edited history", () => {
  it("charts the builds it can read and names the dropped line by the folder as given", async () => {
    const dir = join(work, "edited");
    await mkdir(dir, { recursive: true });
    const config = join(REPO_ROOT, "fixtures/demo/audience.yaml");
    const built = await runCli(["build", "--config", config, "--out", "out", "--quiet"], {
      cwd: dir,
    });
    expect(built.code, built.stderr).toBe(0);
    await appendFile(join(dir, "out", "history.jsonl"), "not a record\n");
    const run = await runCli(
      ["report", "--config", config, "--out", "out", "--html", "page.html", "--quiet"],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      "warning out/history.jsonl: dropped line 2 (not a build record of audience); the other build is kept\n",
    );
    expect(await readFile(join(dir, "page.html"), "utf8")).toContain('data-history="rfm-vip"');
  });
});

describe("OUT/report.html", () => {
  it("is written by every build, in the same swap, with build --json's numbers and its sha256 in the manifest", async () => {
    const out = join(work, "out");
    await mkdir(work, { recursive: true });
    const build = await runCli(["build", ...DEMO, "--out", out, "--json", "--quiet"]);
    expect(build.code).toBe(0);
    const counts = JSON.parse(build.stdout) as CountsJson;
    const html = await readFile(join(out, "report.html"), "utf8");
    const [rfm, channels] = await Promise.all([
      json<RfmJson>(["rfm"]),
      json<ChannelsJson>(["channels"]),
    ]);
    expectNumbersOf(html, counts, rfm, channels);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
      segments: { file: string }[];
      report: { file: string; sha256: string };
    };
    expect(manifest.report).toEqual({
      file: "report.html",
      sha256: createHash("sha256").update(html).digest("hex"),
    });
    expect(manifest.segments.map((s) => s.file)).not.toContain("report.html");
    // The build's page is the report command's page with the rows written: both chart the
    // history of OUT, which now holds this build.
    const after = join(work, "after.html");
    expect((await runCli(["report", ...DEMO, "--quiet", "--out", out, "--html", after])).code).toBe(
      0,
    );
    const withHistory = await readFile(after, "utf8");
    expect(withHistory).toContain('data-history="rfm-vip"');
    expect(page).not.toContain('data-history="rfm-vip"');
    expect(
      html
        .replace(/<td class="num" data-field="written">[^<]*<\/td>/g, "")
        .replace('<th scope="col" class="num">Written</th>', "")
        .replace("; <b>written</b> is one row per address in the upload file", "")
        .replace(/<th colspan="9" scope="rowgroup">/g, '<th colspan="8" scope="rowgroup">'),
    ).toBe(withHistory);
  });
});
