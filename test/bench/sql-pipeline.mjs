// `npm run bench:sql-pipeline`: the SQL path of `--engine duckdb` step by
// step, with the engine's own functions on a large demo shop — the CSV files into raw tables
// (loadCsvInput), contacts / events / lists staging (stagePeople, with its mapping tables),
// orders staging (stageOrders), the untextable phones, buildProfileTables, and the profiles read
// back (readSqlProfiles). Prints each step's time, its costliest statements, and the peak RSS;
// asserts nothing. (sql-steps.mjs times the cell rules and buildProfileTables on stand-in staging.)
//
//   BENCH_CONTACTS=200000 (default 1,000,000)  BENCH_THREADS=2  BENCH_TOP=8
//   BENCH_MEMORY=4GB                           DuckDB's memory_limit (default: the engine's)
//   BENCH_SHOP=/path/to/shop                   an existing `audience demo` folder
//   BENCH_DUMP=/tmp/statements.sql             every statement run, with its time, into that file
//   BENCH_PROFILE=/tmp/profiles                DuckDB's profile (JSON) of each statement run, there
//   BENCH_KEEP=/tmp/profiles.duckdb            the built `profiles` table copied into that file
//   BENCH_CAPTURE=text BENCH_KEEP=…            before the first statement holding that text, every
//                                             table copied into BENCH_KEEP and the statement into
//                                             BENCH_KEEP.sql (to try variants of it by hand)
//
// The shop is generated once with `audience demo` into $TMPDIR/audience-bench/ (never the repo).
// A shop whose contact rows sharing a key disagree on consent cannot be staged in SQL (stagePeople
// says so); its contacts are then staged again with every given consent cell read as `yes`, which
// changes little of the work timed (the first attempt's time is printed too).
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setInterval, clearInterval } from "node:timers";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dist = join(root, "dist");
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const TOP = Number(process.env.BENCH_TOP ?? 8);
const AS_OF = "2026-06-30";
const DUMP = process.env.BENCH_DUMP;
if (DUMP) writeFileSync(DUMP, "");

function shop() {
  if (process.env.BENCH_SHOP) return process.env.BENCH_SHOP;
  const dir = join(tmpdir(), "audience-bench", `shop-${CONTACTS}-seed1`);
  if (!existsSync(join(dir, ".complete"))) {
    process.stderr.write(`generating ${CONTACTS.toLocaleString("en-US")} contacts into ${dir}…\n`);
    const g = spawnSync(
      process.execPath,
      [
        join(root, "bin", "audience.js"),
        ...["demo", "--out", dir, "--contacts", String(CONTACTS), "--seed", "1"],
        ...["--as-of", AS_OF, "--quiet"],
      ],
      { stdio: "inherit" },
    );
    if (g.status !== 0) throw new Error(`audience demo exited with ${g.status}`);
    writeFileSync(join(dir, ".complete"), "");
  }
  return dir;
}

const imp = (p) => import(join(dist, p));
const { parseIsoDay } = await imp("calendar.js");
const { ingestOptions } = await imp("config/ingest-options.js");
const { resolveSettings } = await imp("config/settings.js");
const { openDuckDb } = await imp("engine/duckdb/open.js");
const { loadCsvInput } = await imp("engine/duckdb/read.js");
const { duckDbSessionOver } = await imp("engine/duckdb/session.js");
const { readSqlProfiles, storeFields } = await imp("engine/sql-profiles-store.js");
const { expandPatterns } = await imp("io/read-inputs.js");
const { readConfig } = await imp("io/read-config.js");
const { loadSegmentFiles } = await imp("io/segment-files.js");
const { IngestContext } = await imp("model/ingest-context.js");
const { PhoneTypes } = await imp("model/phone-type.js");
const { RejectLog } = await imp("model/rejects.js");
const { prepareRun } = await imp("segments/prepare-run.js");
const { buildProfileTables } = await imp("sql/profiles-sql.js");
const { stageOrders } = await imp("sql/stage-orders.js");
const { stagePeople, stageUntextablePhones } = await imp("sql/stage-people.js");
const { createStageRejectStatements } = await imp("sql/stage-rejects.js");
const { createStagingStatements } = await imp("sql/staging.js");

const dir = shop();
const settings = resolveSettings(await readConfig(join(dir, "audience.yaml"), dir), {}, dir);
const asOf = settings.asOf ?? parseIsoDay(AS_OF);
const loaded = await loadSegmentFiles(
  settings.segments.map((s) => s.path),
  dir,
);
const run = prepareRun(loaded.definitions, settings, asOf);
const MEMORY = process.env.BENCH_MEMORY;
const db = await openDuckDb({ threads: THREADS, ...(MEMORY ? { memoryLimit: MEMORY } : {}) });
const inner = await duckDbSessionOver(db);

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const sampler = setInterval(sample, 100);
/** Statement times of the current step, grouped by the statement's start. */
let statements = new Map();
const PROFILE = process.env.BENCH_PROFILE;
let statementNo = 0;
if (PROFILE) {
  mkdirSync(PROFILE, { recursive: true });
  await db.connection.run(`PRAGMA enable_profiling = 'json'`);
}
let captured = false;
async function capture(sql) {
  const keep = process.env.BENCH_KEEP;
  const tables = (
    await inner.rows(
      `SELECT database_name AS db, table_name AS t FROM duckdb_tables() UNION ALL SELECT database_name, view_name FROM duckdb_views() WHERE NOT internal`,
    )
  ).filter((r) => r.db === "memory" || r.db === "temp");
  await db.connection.run(`ATTACH '${keep}' AS capture`);
  for (const { t } of tables)
    await db.connection.run(`CREATE OR REPLACE TABLE capture."${t}" AS SELECT * FROM "${t}"`);
  await db.connection.run(`DETACH capture`);
  writeFileSync(`${keep}.sql`, sql);
  console.log(`  captured ${tables.length} tables into ${keep}`);
}
const timing = (fn) =>
  async function (sql, ...rest) {
    if (!captured && process.env.BENCH_CAPTURE && sql.includes(process.env.BENCH_CAPTURE)) {
      captured = true;
      await capture(sql);
    }
    if (PROFILE)
      await db.connection.run(
        `SET profiling_output = '${join(PROFILE, `${String(++statementNo).padStart(4, "0")}.json`)}'`,
      );
    const t0 = performance.now();
    try {
      return await fn.call(inner, sql, ...rest);
    } finally {
      const key = sql.replace(/\s+/g, " ").replace(/\$\d+/g, "$").slice(0, 90);
      const s = (performance.now() - t0) / 1000;
      if (DUMP) appendFileSync(DUMP, `-- ${s.toFixed(3)} s\n${sql};\n\n`);
      const had = statements.get(key) ?? { s: 0, n: 0 };
      statements.set(key, { s: had.s + s, n: had.n + 1 });
    }
  };
const session = Object.fromEntries(
  Object.entries(inner).map(([k, v]) => [
    k,
    typeof v === "function" && k !== "close" ? timing(v) : v,
  ]),
);
const steps = [];
async function step(label, work) {
  statements = new Map();
  const t0 = performance.now();
  const result = await work();
  const s = (performance.now() - t0) / 1000;
  sample();
  steps.push([label, s]);
  console.log(`\n${label}: ${s.toFixed(2)} s`);
  for (const [key, v] of [...statements].sort((a, b) => b[1].s - a[1].s).slice(0, TOP))
    console.log(`  ${v.s.toFixed(2).padStart(7)} s ${String(v.n).padStart(5)}×  ${key}`);
  return result;
}

console.log(`shop ${dir}, DuckDB threads ${THREADS}, memory_limit ${MEMORY ?? "default"}`);
for (const sql of createStagingStatements(session.dialect)) await session.run(sql);
for (const sql of createStageRejectStatements(session.dialect)) await session.run(sql);
const people = [];
const orders = [];
await step("read CSV files (loadCsvInput)", async () => {
  let t = 0;
  for (const kind of ["contacts", "orders", "events", "lists"]) {
    const files = await expandPatterns(kind, settings.inputs[kind] ?? []);
    for (const [file, input] of files.entries()) {
      const raw = await loadCsvInput(db.connection, {
        path: input.path,
        display: input.display,
        table: `raw_${t++}`,
      });
      const common = { display: input.display, table: raw.table, header: raw.header };
      if (kind === "orders") orders.push({ ...common, width: raw.width });
      else people.push({ ...common, kind, file, width: raw.width });
    }
  }
});
const ingest = ingestOptions(settings, asOf, run.needs);
const names = [
  ...new Set(
    run.plan.aggregates.flatMap((a) =>
      a.source === "events" ? a.properties.map((p) => p.name) : [],
    ),
  ),
];
const peopleOptions = { ingest, eventProperties: names };
let outcome = await step("stagePeople", () => stagePeople(session, people, peopleOptions));
if (!outcome.staged) {
  console.log(`  not staged: ${outcome.reason}; every given consent cell made yes, again:`);
  for (const f of people.filter((p) => p.kind === "contacts")) {
    const cols = f.header.map((h, i) => [h, `c${i}`]);
    const col = (name) => cols.find(([h]) => h === name)?.[1];
    const replace = ["email_consent", "sms_consent", "whatsapp_consent"]
      .map(col)
      .filter((c) => c !== undefined)
      .map((c) => `CASE WHEN trim(${c}) = '' THEN ${c} ELSE 'yes' END AS ${c}`);
    await db.connection.run(
      `CREATE OR REPLACE TABLE ${f.table}_c AS SELECT * REPLACE (${replace.join(", ")}) FROM ${f.table}`,
    );
    f.table = `${f.table}_c`;
  }
  steps.at(-1)[0] = "stagePeople (not staged: not counted)";
  outcome = await step("stagePeople", () => stagePeople(session, people, peopleOptions));
  if (!outcome.staged) throw new Error(`stagePeople: ${outcome.reason}`);
}
const ctx = new IngestContext(ingest, new RejectLog());
const staged = await step("stageOrders", () =>
  stageOrders(session, orders, {
    ctx,
    ordersFilter: run.needs.ordersFilter,
    strict: settings.strict,
  }),
);
if (!staged.staged) throw new Error(`stageOrders: ${staged.needsTypeScript}`);
const metadata = (await import("libphonenumber-js/max/metadata")).default;
const types = new PhoneTypes(metadata);
await step("stageUntextablePhones", () => stageUntextablePhones(session, (p) => types.canText(p)));
const fields = [...new Set([...run.plan.fields, ...storeFields(run.needs.fields)])];
const built = await step("buildProfileTables", () =>
  buildProfileTables(
    session.dialect,
    { run: (sql) => session.run(sql), query: (sql) => session.rows(sql) },
    { asOf, fields, rfm: settings.rfm },
  ),
);
const profiles = await step("readSqlProfiles", () =>
  readSqlProfiles(session, { asOf, rfm: settings.rfm, fields: run.needs.fields }),
);
clearInterval(sampler);
if (process.env.BENCH_KEEP) {
  await db.connection.run(`ATTACH '${process.env.BENCH_KEEP}' AS keep`);
  await db.connection.run(`CREATE OR REPLACE TABLE keep.profiles AS SELECT * FROM profiles`);
  await db.connection.run(`DETACH keep`);
  console.log(`fields ${JSON.stringify(run.needs.fields)}`);
}
console.log(
  `\ntotal ${steps.reduce((a, [label, s]) => (label.includes("not counted") ? a : a + s), 0).toFixed(2)} s; ${JSON.stringify({ customers: built.customers, buyers: built.buyers, passes: built.passes, profiles: profiles.size })}; peak rss ${(peak / 2 ** 30).toFixed(2)} GiB`,
);
await session.close();
