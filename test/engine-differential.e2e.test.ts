/**
 * The two engines against each other (docs/design.md#engines): every run goes through the memory engine
 * and through `--engine duckdb`, each in a folder of its own, and must give the same exit code, the
 * same stdout (every `--json` document), the same stderr, and the same files byte for byte — the
 * manifest and history but for their `engine` field. Cases: every fixture shop with a config, the
 * demo shop with the whole library in every output format with and without --hash, --exclusive,
 * --only, --rejects, the bad-input corpus, 200 generated shops (seeded `audience demo` shops with
 * hostile cells, encodings, delimiters and line endings mixed in), and UCI Online Retail and CDNOW
 * from ../shared/data when present. Any difference is a bug in one engine: fix it, keep the case.
 *
 * Runs go through the built CLI's `runCli` in this process (the same code as `bin/audience.js`,
 * reading threads included) with a fixed clock, so the 2,000-odd runs take minutes, not hours.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { Writable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { DEMO_HEADERS, generateShop, type DemoFile } from "../src/demo/generate.js";
import { Random } from "../src/demo/random.js";
import { REPO_ROOT, runCli as runBuiltCli } from "./helpers/run-cli.js";

interface Context {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stderrIsTTY: boolean;
  stdoutIsTTY: boolean;
  now: () => number;
}
type RunCli = (argv: readonly string[], context: Context) => Promise<number>;

const NOW = Date.UTC(2026, 6, 1, 9, 30, 0);
const FIXTURES = join(REPO_ROOT, "fixtures");
const LIBRARY = join(REPO_ROOT, "segments");
const SHARED = join(REPO_ROOT, "../shared/data");

let runCli: RunCli;
let work: string;
let runs = 0;

beforeAll(async () => {
  const main = (await import(pathToFileURL(join(REPO_ROOT, "dist/cli/main.js")).href)) as {
    runCli: RunCli;
  };
  runCli = main.runCli;
  work = await mkdtemp(join(tmpdir(), "audience-engines-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface EngineRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every file the run left in its folder: path → content (manifest/history without `engine`). */
  files: Record<string, string>;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

/** A build folder's name without its process id and random part (`.out.build-STAMP-PID-RANDOM`). */
function stable(path: string): string {
  return path.replace(/(\.build-\d{8}T\d{6})-\d+-[0-9a-f]+/g, "$1");
}

async function filesIn(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      // engine duckdb's cache of loaded exports, beside the config: not an output (README Engines).
      if (entry.isDirectory() && entry.name === ".audience-cache") continue;
      if (entry.isDirectory()) {
        await visit(path);
        continue;
      }
      if (entry.isSymbolicLink()) {
        out[stable(relative(dir, path))] = `-> ${stable(await readlink(path))}`;
        continue;
      }
      let text = (await readFile(path)).toString("latin1");
      if (entry.name === "manifest.json" || entry.name === "history.jsonl")
        text = text.replace(/"engine": ?"(memory|duckdb)",/g, "");
      out[stable(relative(dir, path))] = text;
    }
  };
  await visit(dir);
  return out;
}

/** One command in a fresh folder with one engine (`args` use absolute paths or the folder's own). */
async function runEngine(
  args: readonly string[],
  engine: string,
  folder: string,
): Promise<EngineRun> {
  await mkdir(folder, { recursive: true });
  const stdout = sink();
  const stderr = sink();
  const code = await runCli([...args, "--engine", engine], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { NO_COLOR: "1" },
    cwd: folder,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    now: () => NOW,
  });
  return {
    code,
    stdout: stdout.text(),
    stderr: stderr.text().replaceAll(folder, "<run>"),
    files: await filesIn(folder),
  };
}

/**
 * Runs `args` with both engines and expects the same results; returns the memory engine's.
 * `setup` prepares each run's folder (files a command reads relative to it).
 */
async function both(
  args: readonly string[],
  setup?: (folder: string) => Promise<void>,
): Promise<EngineRun> {
  const id = ++runs;
  const memoryFolder = join(work, `${id}-memory`);
  const duckdbFolder = join(work, `${id}-duckdb`);
  if (setup !== undefined) {
    await mkdir(memoryFolder, { recursive: true });
    await mkdir(duckdbFolder, { recursive: true });
    await setup(memoryFolder);
    await setup(duckdbFolder);
  }
  const memory = await runEngine(args, "memory", memoryFolder);
  const duckdb = await runEngine(args, "duckdb", duckdbFolder);
  const label = args.join(" ");
  expect({ args: label, code: duckdb.code }).toEqual({ args: label, code: memory.code });
  expect({ args: label, stdout: duckdb.stdout }).toEqual({ args: label, stdout: memory.stdout });
  expect({ args: label, stderr: duckdb.stderr }).toEqual({ args: label, stderr: memory.stderr });
  expect({ args: label, files: Object.keys(duckdb.files).sort() }).toEqual({
    args: label,
    files: Object.keys(memory.files).sort(),
  });
  for (const [file, text] of Object.entries(memory.files))
    expect({ args: label, file, text: duckdb.files[file] }).toEqual({ args: label, file, text });
  await rm(memoryFolder, { recursive: true, force: true });
  await rm(duckdbFolder, { recursive: true, force: true });
  return memory;
}

const CONFIGS = [...findConfigs(FIXTURES)].sort();

function* findConfigs(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* findConfigs(path);
    else if (entry.name === "audience.yaml") yield path;
  }
}

describe("every fixture shop with a config: build, count, rfm and channels", () => {
  it.each(CONFIGS.map((c) => relative(REPO_ROOT, c)))("%s", async (config) => {
    const path = join(REPO_ROOT, config);
    const built = await both(["build", "--config", path, "--out", "out", "--json", "--force"]);
    expect(built.code === 0 || built.code === 1 || built.code === 3).toBe(true);
    await both(["count", "--config", path, "--json"]);
    await both(["rfm", "--config", path, "--json"]);
    await both(["channels", "--config", path, "--json"]);
  });
});

const DEMO = join(FIXTURES, "demo/audience.yaml");
const FORMATS = ["generic", "klaviyo", "mailchimp", "brevo", "meta", "google-ads"];

describe("the demo shop with the whole library", () => {
  it.each(FORMATS)("--format %s, with and without --hash", async (format) => {
    for (const hash of [[], ["--hash"]]) {
      const run = await both([
        "build",
        "--config",
        DEMO,
        "--out",
        "out",
        "--json",
        "--format",
        format,
        ...hash,
      ]);
      // --hash with a profile that does not hash is refused (exit 2), by both.
      const hashes = format === "meta" || format === "google-ads";
      expect(run.code).toBe(hash.length === 0 || hashes ? 0 : 2);
    }
  });

  it("--exclusive, --only, both, and a second build over the first (changes, history)", async () => {
    for (const flags of [
      ["--exclusive"],
      ["--only", "rfm-vip,whatsapp-vip,face-care-cross-sell"],
      ["--exclusive", "--only", "rfm-at-risk,at-risk,repeat-lapsed"],
    ]) {
      expect(
        (await both(["build", "--config", DEMO, "--out", "out", "--json", ...flags])).code,
      ).toBe(0);
      expect((await both(["count", "--config", DEMO, "--json", ...flags])).code).toBe(0);
    }
    const twice = async (folder: string) => {
      const stdout = sink();
      const code = await runCli(
        ["build", "--config", DEMO, "--out", "out", "--quiet", "--as-of", "2026-05-31"],
        {
          stdout: stdout.stream,
          stderr: sink().stream,
          env: { NO_COLOR: "1" },
          cwd: folder,
          stderrIsTTY: false,
          stdoutIsTTY: false,
          now: () => NOW - 86_400_000,
        },
      );
      expect(code).toBe(0);
    };
    // Both folders hold the memory engine's first build: the second build's files must agree.
    expect((await both(["build", "--config", DEMO, "--out", "out", "--json"], twice)).code).toBe(0);
  });

  it("explain, report, predict and plan", async () => {
    await both(["explain", "C100002", "--config", DEMO, "--json"]);
    await both(["explain", "C100002", "--config", DEMO, "--exclusive"]);
    await both([
      "explain",
      "--segment",
      "repeat-lapsed,rfm-vip,whatsapp-win-back",
      "--config",
      DEMO,
    ]);
    await both(["report", "--config", DEMO, "--html", "report.html", "--json"]);
    await both(["predict", "--config", DEMO, "--json"]);
    await both([
      "plan",
      "--config",
      DEMO,
      "--base",
      join(LIBRARY, "lifecycle.yaml"),
      "--segments",
      join(LIBRARY, "rfm.yaml"),
    ]);
  });

  it("--rejects, --strict and a bad row in every input", async () => {
    const shop = async (folder: string) => {
      for (const name of ["contacts", "orders", "events", "lists"]) {
        const text = await readFile(join(FIXTURES, "demo", `${name}.csv`), "utf8");
        const lines = text.split("\n");
        lines.splice(5, 0, lines[1].replace(/2026-|2025-/, "2025-13-"));
        lines.splice(9, 0, ",,,,,,");
        await writeFile(join(folder, `${name}.csv`), lines.join("\n"));
      }
      await writeFile(
        join(folder, "audience.yaml"),
        `contacts: contacts.csv\norders: orders.csv\nevents: events.csv\nlists: lists.csv\nsegments: ${JSON.stringify(LIBRARY)}\ntimezone: Europe/Paris\ndefault_country: FR\nas_of: 2026-06-30\n`,
      );
    };
    expect(
      (await both(["build", "--out", "out", "--rejects", "rejects.csv", "--json"], shop)).code,
    ).toBe(0);
    expect((await both(["count", "--rejects", "rejects.csv"], shop)).code).toBe(0);
    expect((await both(["count", "--strict"], shop)).code).toBe(1);
  });
});

describe("the bad-input corpus", () => {
  const BAD = join(FIXTURES, "bad");
  const csvs = readdirSync(BAD).filter((n) => n.endsWith(".csv") || n.endsWith(".csv.gz"));
  const yamls = readdirSync(BAD).filter((n) => n.endsWith(".yaml"));
  const segments = join(FIXTURES, "model/uci/segments.yaml");

  it.each(csvs)("%s as orders, as contacts and as events", async (name) => {
    const file = join(BAD, name);
    const orders = join(FIXTURES, "build/orders.csv");
    const asOf = ["--as-of", "2026-06-30"];
    await both(["rfm", "--orders", file, ...asOf]);
    await both(["count", "--orders", file, "--segments", segments, ...asOf, "--json"]);
    await both(["count", "--orders", file, "--segments", segments, ...asOf, "--rejects", "r.csv"]);
    await both([
      "build",
      "--contacts",
      file,
      "--orders",
      orders,
      "--segments",
      LIBRARY,
      ...asOf,
      "--out",
      "out",
    ]);
    await both([
      "count",
      "--events",
      file,
      "--orders",
      orders,
      "--segments",
      LIBRARY,
      ...asOf,
      "--strict",
    ]);
  });

  it.each(yamls)("%s", async (name) => {
    const config = join(BAD, name);
    await both(["rfm", "--config", config, "--as-of", "2026-06-30"]);
    await both([
      "build",
      "--config",
      config,
      "--segments",
      segments,
      "--as-of",
      "2026-06-30",
      "--out",
      "out",
      "--json",
    ]);
  });

  it("a usage error names the engine that does not exist", async () => {
    const run = await runEngine(["count", "--config", DEMO], "duckbd", join(work, "bad-engine"));
    expect([run.code, run.stderr.split("\n")[0]]).toEqual([
      2,
      'error --engine "duckbd" is not an engine (did you mean "duckdb"?)',
    ]);
  });
});

/** Cells a hostile export holds, mixed into the generated shops. */
const HOSTILE = [
  "",
  " ",
  "  padded  ",
  '=HYPERLINK("http://x")',
  "+33 6 12 34 56 78",
  "'+33612345678",
  "0612345678",
  "9.23225E+11",
  "-12.50",
  "1,234.56",
  "1.234,56",
  "€ 12,00",
  "1e3",
  "NaN",
  "NULL",
  "yes",
  "Oui",
  "FALSE",
  "0",
  "2026-02-30",
  "31/12/2025",
  "2025-06-01T23:30:00-05:00",
  "2026-06-30 23:59:59+14:00",
  "1969-12-31",
  "2031-01-01",
  "ÉMILE.Durand@Exemple.COM ",
  "not-an-email@",
  'with "quotes" inside',
  "a,b;c\td",
  "line\nbreak",
  "crlf\r\ninside",
  "😀 ünïcödé",
  "wc-cancelled",
  "Refunded",
  "partially_refunded",
  "\uFEFFbom",
];

interface ShopVariant {
  delimiter: "," | ";" | "\t";
  crlf: boolean;
  gzip: boolean;
  bom: boolean;
  latin1: boolean;
}

function variantOf(seed: number): ShopVariant {
  return {
    delimiter: seed % 5 === 1 ? ";" : seed % 13 === 2 ? "\t" : ",",
    crlf: seed % 3 === 0,
    gzip: seed % 7 === 3,
    bom: seed % 4 === 1,
    latin1: seed % 11 === 5,
  };
}

async function writeShop(folder: string, seed: number): Promise<void> {
  const random = new Random(seed * 7919 + 1);
  const asOf = parseIsoDay("2026-06-30") as number;
  const shop = generateShop({ contacts: random.int(5, 30), seed, asOf });
  const variant = variantOf(seed);
  const rate = random.int(0, 6) / 100;
  const lines: string[] = [];
  for (const file of Object.keys(DEMO_HEADERS) as DemoFile[]) {
    // Not in currency: a second currency stops the run (MIXED_CURRENCIES), which one case shows.
    const currency = file === "orders" ? DEMO_HEADERS.orders.indexOf("currency") : -1;
    const rows = shop[file].map((row) =>
      row.map((cell, i) =>
        i !== currency && random.next() < rate ? HOSTILE[random.int(0, HOSTILE.length - 1)] : cell,
      ),
    );
    // Now and then a row out of place: a duplicate, a short one, a long one.
    if (rows.length > 3 && random.next() < 0.3)
      rows.splice(random.int(0, rows.length - 1), 0, rows[0]);
    if (rows.length > 3 && random.next() < 0.2) rows[random.int(0, rows.length - 1)].length = 2;
    if (rows.length > 3 && random.next() < 0.2)
      rows[random.int(0, rows.length - 1)].push("extra", "cells");
    let text = stringify([[...DEMO_HEADERS[file]], ...rows], {
      delimiter: variant.delimiter,
      record_delimiter: variant.crlf ? "\r\n" : "\n",
    });
    if (variant.bom) text = `\uFEFF${text}`;
    let bytes = variant.latin1 ? Buffer.from(text, "latin1") : Buffer.from(text, "utf8");
    let name = `${file}.csv`;
    if (variant.gzip) {
      bytes = gzipSync(bytes);
      name += ".gz";
    }
    await writeFile(join(folder, name), bytes);
    lines.push(`${file}: ${name}`);
  }
  const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"];
  lines.push(`segments: ${JSON.stringify(LIBRARY)}`);
  lines.push(`timezone: ${zones[seed % zones.length]}`);
  if (seed % 2 === 0) lines.push("default_country: FR");
  if (seed % 6 === 4) lines.push("date_order: dmy");
  if (seed % 9 === 7) lines.push('exclude_status: [cancelled, "refunded"]');
  if (seed % 10 === 3) lines.push('orders_filter: quantity > 0 and not starts_with(order_id, "C")');
  lines.push("as_of: 2026-06-30");
  await writeFile(join(folder, "audience.yaml"), `${lines.join("\n")}\n`);
}

const SHOPS = 200;
const BATCH = 25;

describe(`${SHOPS} generated shops with hostile cells`, () => {
  const batches = Array.from({ length: SHOPS / BATCH }, (_, b) => b);
  it.each(batches)(
    `batch %i of ${BATCH} shops: build --json (format, --hash, --exclusive varied)`,
    async (batch) => {
      const codes = new Map<number, number>();
      for (let k = 0; k < BATCH; k++) {
        const seed = batch * BATCH + k + 1;
        const format = FORMATS[seed % FORMATS.length];
        const flags = [
          ...(seed % 4 === 0 ? ["--hash"] : []),
          ...(seed % 5 === 2 ? ["--exclusive"] : []),
          ...(seed % 8 === 6 ? ["--rejects", "rejects.csv"] : []),
        ];
        const run = await both(
          ["build", "--out", "out", "--json", "--format", format, "--force", ...flags],
          (folder) => writeShop(folder, seed),
        );
        codes.set(run.code, (codes.get(run.code) ?? 0) + 1);
      }
      // Most shops build; some stop on purpose (ambiguous dates, guards): both engines alike.
      expect(codes.get(0) ?? 0).toBeGreaterThan(BATCH / 3);
    },
    300_000,
  );
});

const UCI = join(SHARED, "uci-online-retail/online_retail.csv.gz");
const CDNOW = join(SHARED, "cdnow/cdnowElog_BTYD.csv");

describe.skipIf(!existsSync(UCI) || !existsSync(CDNOW))(
  `real data from ../shared/data${existsSync(UCI) && existsSync(CDNOW) ? "" : " — skipped: no ../shared"}`,
  () => {
    it("UCI Online Retail (541,909 rows) with the UCI segments", async () => {
      const config = async (folder: string) => {
        const text = await readFile(join(FIXTURES, "model/uci/audience.yaml"), "utf8");
        await writeFile(
          join(folder, "audience.yaml"),
          text
            .replace("orders: online_retail_sample.csv", `orders: ${JSON.stringify(UCI)}`)
            .replace(
              "segments: segments.yaml",
              `segments: ${JSON.stringify(join(FIXTURES, "model/uci/segments.yaml"))}`,
            ),
        );
      };
      expect(
        (await both(["build", "--out", "out", "--json", "--rejects", "rejects.csv"], config)).code,
      ).toBe(0);
    }, 240_000);

    it("CDNOW with the whole library and predictions", async () => {
      const config = async (folder: string) => {
        await writeFile(
          join(folder, "audience.yaml"),
          `orders: ${JSON.stringify(CDNOW)}\ncolumns: { orders: { customer_id: masterid, created_at: date, total: sales } }\nsegments: [${JSON.stringify(LIBRARY)}, ${JSON.stringify(join(LIBRARY, "predictive"))}]\nas_of: 1998-06-30\n`,
        );
      };
      await both(["build", "--out", "out", "--json"], config);
      await both(["predict", "--json"], config);
    }, 240_000);
  },
);

describe("the built command line", () => {
  it("a fresh clone's first run: npx audience build --config fixtures/demo/audience.yaml --engine duckdb", async () => {
    const folder = await mkdtemp(join(work, "cli-"));
    const run = await runBuiltCli([
      "build",
      "--config",
      DEMO,
      "--engine",
      "duckdb",
      "--out",
      join(folder, "out"),
      "--quiet",
    ]);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const manifest = JSON.parse(await readFile(join(folder, "out/manifest.json"), "utf8")) as {
      engine: string;
    };
    expect(manifest.engine).toBe("duckdb");
  });
});
