/**
 * `--engine duckdb` reads its inputs in the database (src/io/read-inputs.ts `inDatabase`): the
 * files loaded into raw tables, staged in SQL, the profiles and segments computed there — no row
 * goes through the TypeScript sinks. When a file or the staging needs the TypeScript path, the
 * whole run takes it. Each case runs in-process through both engines, counting the rows handed to
 * the sinks (ContactsSink, OrdersSink, EventsSink, ListsSink): none on the fast path, some on each
 * fallback, and the same exit code, stdout, stderr and files as the memory engine either way.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notCache, runCountingSinks, type SinkRun } from "./helpers/sink-run.js";

const ROOT = resolve(import.meta.dirname, "..");

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-fastpath-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const run = (shop: string, args: string[], engine: string): Promise<SinkRun> =>
  runCountingSinks(shop, args, engine, { work });

/** Both engines on `args`: the same results; returns the duckdb run. */
async function both(shop: string, args: string[]): Promise<SinkRun> {
  const memory = await run(shop, args, "memory");
  const duckdb = await run(shop, args, "duckdb");
  expect(memory.sinkRows).toBeGreaterThan(0);
  const { sinkRows: _m, ...want } = memory;
  const { sinkRows: _d, ...got } = duckdb;
  expect(got).toEqual(want);
  return duckdb;
}

/** A copy of fixtures/library (which the fast path reads), or `fixture`, with `change` applied. */
async function library(
  name: string,
  change?: (dir: string) => Promise<void>,
  fixture = "library",
): Promise<string> {
  const dir = join(work, name);
  await cp(join(ROOT, "fixtures", fixture), dir, { recursive: true, filter: notCache });
  const config = join(dir, "audience.yaml");
  const text = await readFile(config, "utf8");
  await writeFile(config, text.replace("../../segments", join(ROOT, "segments")));
  await change?.(dir);
  return dir;
}

async function append(path: string, text: string): Promise<void> {
  await writeFile(path, (await readFile(path, "utf8")) + text);
}

describe("--engine duckdb reads the inputs in the database", () => {
  it("count: no row through the TypeScript sinks, the memory engine's outputs", async () => {
    const shop = await library("fast");
    for (const args of [
      ["count", "--quiet"],
      ["count", "--quiet", "--exclusive"],
    ]) {
      const got = await both(shop, args);
      expect({ args, code: got.code, sinkRows: got.sinkRows }).toEqual({
        args,
        code: 0,
        sinkRows: 0,
      });
    }
  });

  it("skipped rows, --rejects and their counts by reason come from the staged rejects", async () => {
    const shop = await library("rejects", async (dir) => {
      await append(join(dir, "orders.csv"), "1999,,2026-06-25 10:00:00,paid,,20.00,x,y,1,20.00\n");
      await append(join(dir, "contacts.csv"), "\n,,,,\n");
    });
    const got = await both(shop, ["count", "--quiet", "--rejects", "rejects.csv"]);
    expect(got.sinkRows).toBe(0);
    expect(got.stderr).toContain("skipped");
    expect(Object.keys(got.files)).toContain("rejects.csv");
  });

  it("--strict stops at the first staged reject, a Windows-1252 file warns: as the memory engine", async () => {
    const strict = await library("strict-contacts", (dir) =>
      append(join(dir, "contacts.csv"), ",,,,,,,yes,yes,yes\n"),
    );
    const stopped = await both(strict, ["count", "--quiet", "--strict"]);
    expect({ code: stopped.code, sinkRows: stopped.sinkRows }).toEqual({ code: 1, sinkRows: 0 });
    const latin = await library("windows-1252", async (dir) => {
      const path = join(dir, "contacts.csv");
      const text = await readFile(path, "utf8");
      await writeFile(
        path,
        Buffer.from(text.replace("Client,signup-0d", "Cl\u00e9ment,signup-0d"), "latin1"),
      );
    });
    const warned = await both(latin, ["count", "--quiet"]);
    expect(warned.stderr).toContain("Windows-1252");
    expect({ code: warned.code, sinkRows: warned.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
  });

  it("the input summary, --json, build and contact rows that disagree on a consent: in the database too", async () => {
    const shop = await library("summary");
    for (const args of [["count"], ["count", "--json"], ["build", "--out", "out"]]) {
      const got = await both(shop, args);
      expect({ args, sinkRows: got.sinkRows }).toEqual({ args, sinkRows: 0 });
    }
    // fixtures/demo: its duplicate contact rows disagree on consent (the warning is SQL's).
    const demo = await both(await library("demo", undefined, "demo"), ["count"]);
    expect({ code: demo.code, sinkRows: demo.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
  });

  it("rfm and channels: profiles from the database, the memory engine's outputs", async () => {
    const shop = await library("profiles");
    const demo = await library("demo-profiles", undefined, "demo");
    for (const [dir, args] of [
      [shop, ["rfm"]],
      [shop, ["rfm", "--json"]],
      [shop, ["channels"]],
      [demo, ["rfm", "--json"]],
      [demo, ["channels", "--sort", "conversion"]],
      [demo, ["channels", "--json"]],
    ] as const) {
      const got = await both(dir, [...args]);
      expect({ args, code: got.code, sinkRows: got.sinkRows }).toEqual({
        args,
        code: 0,
        sinkRows: 0,
      });
    }
  });

  it("explain and count --explain: funnels and aggregates counted in SQL, the memory engine's outputs", async () => {
    const shop = await library("explain");
    const demo = await library("demo-explain", undefined, "demo");
    for (const [dir, args, code] of [
      [shop, ["explain", "web-and-store"], 0],
      [shop, ["explain", "winback-inbound-unhandled", "--json"], 0],
      [shop, ["explain", "signup-0d@example.com", "--exclusive"], 0],
      [shop, ["explain", "06 39 98 00 02", "--segment", "new-signups-no-order"], 0],
      [shop, ["explain", "nobody@example.com"], 1],
      [shop, ["explain", "--segment", "web-only-buyers,whatsapp-win-back,repeat-lapsed"], 0],
      [shop, ["count", "--quiet", "--explain"], 0],
      [demo, ["explain", "C100002", "--json"], 0],
      [demo, ["explain", "C100002", "--exclusive"], 0],
      [demo, ["explain", "--segment", "repeat-lapsed,rfm-vip,whatsapp-win-back", "--json"], 0],
      [demo, ["count", "--explain", "--only", "repeat-lapsed,rfm-vip"], 0],
    ] as const) {
      const got = await both(dir, [...args]);
      expect({ args, code: got.code, sinkRows: got.sinkRows }).toEqual({ args, code, sinkRows: 0 });
    }
  });

  it("an order that creates its buyer warns about its invalid email or phone, as the memory engine", async () => {
    // The orders sink warns only for an order that counts and meets no earlier customer, at the
    // order's first line; a later order of that buyer, a contact's order, an order left out
    // (cancelled, after as_of) say nothing. Orders close after their last row: the warnings'
    // order (and so the five examples shown) is theirs.
    const shop = join(work, "buyer-keys");
    await mkdir(shop, { recursive: true });
    const files = {
      "audience.yaml":
        "contacts: contacts.csv\norders: orders.csv\nas_of: 2026-06-30\ndefault_country: FR\nsegments: segments.yaml\n",
      "segments.yaml": "segments:\n  buyers:\n    where: orders_count > 0\n    channel: email\n",
      "contacts.csv": "email,phone,email_consent\nknown@example.com,06 39 98 00 01,yes\n",
      "orders.csv": [
        "order_id,email,phone,created_at,status,total,product",
        "o1,not-an-email,06 39 98 00 50,2026-06-01,paid,10,a",
        "o2,rounded@example.com,3.36399E+10,2026-06-02,paid,10,a",
        "o3,short@example.com,12,2026-06-03,paid,10,a",
        "o2b,rounded@example.com,3.36399E+10,2026-06-04,paid,10,a",
        "o4,multi@example.com,1234,2026-06-05,paid,10,a",
        "o4,multi@example.com,1234,2026-06-05,paid,,b",
        "o5,cancelled@example.com,99,2026-06-06,cancelled,10,a",
        "o6,later@example.com,98,2026-07-06,paid,10,a",
        "o7,known@example.com,97,2026-06-07,paid,10,a",
        "o8,bad@@example.com,+44 20 7946 0000 0000,2026-06-08,paid,10,a",
        "",
      ].join("\n"),
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(shop, name), text);
    const got = await both(shop, ["count"]);
    expect({ code: got.code, sinkRows: got.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
    expect(got.stderr).toContain("1 × invalid email left out");
    expect(got.stderr).toContain("1 × phone rounded by a spreadsheet");
    expect(got.stderr).toContain("2 × invalid phone left out");
  });

  const fallbacks: [string, () => Promise<string>, string[]][] = [
    [
      "orders_filter",
      () =>
        library("filter", (dir) =>
          append(join(dir, "audience.yaml"), 'orders_filter: not starts_with(order_id, "C")\n'),
        ),
      ["count", "--quiet"],
    ],
    [
      "--strict with a rejected order row",
      () =>
        library("strict", (dir) =>
          append(join(dir, "orders.csv"), "1999,,2026-06-25 10:00:00,paid,,20.00,x,y,1,20.00\n"),
        ),
      ["count", "--quiet", "--strict"],
    ],
    [
      "orders in two currencies",
      () =>
        library("currencies", async (dir) => {
          const path = join(dir, "orders.csv");
          const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
          const priced = lines.map(
            (l, i) => `${l},${i === 0 ? "currency" : i === 2 ? "USD" : "EUR"}`,
          );
          await writeFile(path, `${priced.join("\n")}\n`);
        }),
      ["count", "--quiet"],
    ],
    [
      "a header error in a later file",
      () => library("header", (dir) => writeFile(join(dir, "lists.csv"), "nothing,known\na,b\n")),
      ["count", "--quiet"],
    ],
    [
      "a file that does not load",
      () => library("missing", (dir) => rm(join(dir, "events.csv"))),
      ["count", "--quiet"],
    ],
  ];

  it.each(fallbacks)(
    "falls back to the TypeScript path with the same outputs: %s",
    async (_, shop, args) => {
      const got = await both(await shop(), args);
      expect(got.sinkRows).toBeGreaterThan(0);
    },
  );
});
