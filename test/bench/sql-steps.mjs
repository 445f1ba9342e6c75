// `npm run bench:sql`: where the DuckDB engine's SQL spends its time, statement by statement, on a
// large demo shop — the cell rules of src/sql/normalise.ts on real cells, the staging tables, and
// every statement of buildProfileTables (src/sql/profiles-sql.ts). Prints figures; asserts nothing.
//
//   npm run bench:sql                         1,000,000 contacts, 2 threads
//   BENCH_CONTACTS=200000 npm run bench:sql   a smaller shop
//   BENCH_SHOP=/path/to/shop npm run bench:sql  an existing `audience demo` folder
//   BENCH_THREADS=4 BENCH_TOP=30              threads; how many statements to list
//   BENCH_DB=/tmp/staging.duckdb              keep the staging tables in that file: the next run
//                                             reads them from it and times buildProfileTables only
//
// The shop is generated once with `audience demo` into $TMPDIR/audience-bench/ (never the repo).
// Staging is filled from the CSV cells with the SQL twins of normalise.ts, except phones (a
// mapping table from libphonenumber in the engine; here a digits-only stand-in, for timing).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dist = join(root, "dist");
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const THREADS = process.env.BENCH_THREADS ?? "2";
const TOP = Number(process.env.BENCH_TOP ?? 20);
const AS_OF = "2026-06-30";

function shop() {
  if (process.env.BENCH_SHOP) return process.env.BENCH_SHOP;
  const dir = join(tmpdir(), "audience-bench", `shop-${CONTACTS}-seed1`);
  if (!existsSync(join(dir, ".complete"))) {
    process.stderr.write(`generating ${CONTACTS.toLocaleString("en-US")} contacts into ${dir}…\n`);
    const g = spawnSync(
      process.execPath,
      [
        join(root, "bin", "audience.js"),
        "demo",
        "--out",
        dir,
        "--contacts",
        String(CONTACTS),
        "--seed",
        "1",
        "--as-of",
        AS_OF,
        "--quiet",
      ],
      { stdio: "inherit" },
    );
    if (g.status !== 0) throw new Error(`audience demo exited with ${g.status}`);
    writeFileSync(join(dir, ".complete"), "");
  }
  return dir;
}

const { DuckDBInstance } = await import("@duckdb/node-api");
const { dialectFor } = await import(join(dist, "sql/dialect.js"));
const { createStagingStatements } = await import(join(dist, "sql/staging.js"));
const { buildProfileTables } = await import(join(dist, "sql/profiles-sql.js"));
const N = await import(join(dist, "sql/normalise.js"));
const { DEFAULT_RFM } = await import(join(dist, "rfm/settings.js"));
const { PROFILE_FIELD_TABLE } = await import(join(dist, "model/fields.js"));
const { dayFromParts } = await import(join(dist, "calendar.js"));

const dir = shop();
const d = dialectFor("duckdb");
const instance = await DuckDBInstance.create(":memory:", { threads: THREADS });
const c = await instance.connect();
const keep = process.env.BENCH_DB;
const STAGED = [
  "stage_contacts",
  "stage_contact_values",
  "stage_contact_props",
  "stage_orders",
  "stage_events",
  "stage_event_properties",
  "stage_lists",
  "stage_untextable_phones",
];
let staged = false;
if (keep !== undefined) {
  await c.run(`ATTACH '${keep}' AS keep`);
  const [row] = (
    await c.runAndReadAll(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_catalog = 'keep' AND table_name = 'stage_lists'`,
    )
  ).getRowObjectsJS();
  staged = Number(row.n) > 0;
  if (staged) for (const t of STAGED) await c.run(`CREATE TABLE ${t} AS SELECT * FROM keep.${t}`);
}
const steps = [];
async function timed(label, sql) {
  const t0 = performance.now();
  await c.run(sql);
  const s = (performance.now() - t0) / 1000;
  steps.push([label, s]);
  return s;
}
async function one(sql) {
  return (await c.runAndReadAll(sql)).getRowObjectsJS()[0];
}
const print = (title, rows) => {
  const total = rows.reduce((a, [, s]) => a + s, 0);
  console.log(`\n${title}: ${total.toFixed(2)} s`);
  for (const [label, s] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`  ${s.toFixed(2).padStart(7)} s  ${label}`);
};

console.log(`shop ${dir}, DuckDB threads ${THREADS}`);
if (!staged) {
  const TZ = "Europe/Paris";
  const date = (x) => N.parseDateSql(d, x, { timezone: TZ });
  const num = (x) => N.parseNumberSql(d, x);
  const cell = (x) => N.cleanCellSql(d, x);
  const email = (x) => N.normalizeEmailSql(d, x, "CAST(NULL AS VARCHAR)");
  const phone = (x) =>
    `CASE WHEN regexp_replace(${x}, '[^0-9]', '', 'g') = '' THEN NULL ELSE '+33' || substr(regexp_replace(${x}, '[^0-9]', '', 'g'), 2) END`;
  const bool = (x) =>
    `CASE WHEN ${cell(x)} IS NULL THEN NULL ELSE COALESCE(${N.parseBooleanSql(d, x)}, FALSE) END`;
  const csv = (f) =>
    `read_csv('${join(dir, f)}', all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')`;

  // Reading: the CSV files into raw text tables, with their row numbers.
  const read = [];
  for (const [t, f] of [
    ["raw_contacts", "contacts.csv"],
    ["raw_orders", "orders.csv"],
    ["raw_events", "events.csv"],
    ["raw_lists", "lists.csv"],
  ]) {
    await timed(
      `read ${f}`,
      `CREATE TABLE ${t} AS SELECT row_number() OVER () AS seq, * FROM ${csv(f)}`,
    );
    read.push(steps.at(-1));
  }
  print("read_csv", read);

  // The cell rules, one column of real cells each: what a cell costs, per million.
  const rules = [];
  const cells = Number((await one(`SELECT count(*) AS n FROM raw_orders`)).n);
  for (const [label, expr] of [
    ["parseDateSql(created_at)", date("created_at")],
    ["dateProblemSql(created_at)", N.dateProblemSql(d, "created_at", { timezone: TZ })],
    ["parseNumberSql(total)", num("total")],
    ["parseNumberSql(price)", num("price")],
    ["cleanCellSql(product)", cell("product")],
    ["normalizeEmailSql(email)", email("email")],
    ["orderStatusSql(status)", N.orderStatusSql(d, "status", "NULL")],
  ]) {
    const s = await timed(
      label,
      `CREATE OR REPLACE TEMP TABLE bench_cell AS SELECT ${expr} AS v FROM raw_orders`,
    );
    rules.push([`${label}: ${((s * 1e6) / cells).toFixed(2)} s per million cells`, s]);
  }
  await c.run(`DROP TABLE bench_cell`);
  print(`cell rules on ${cells.toLocaleString("en-US")} order rows`, rules);

  // Staging from the raw tables.
  for (const sql of createStagingStatements(d)) await c.run(sql);
  const staging = [];
  const stage = async (label, sql) => {
    await timed(label, sql);
    staging.push(steps.at(-1));
  };
  const id = (x) => N.cleanIdSql(d, x);
  await stage(
    "stage_contacts",
    `INSERT INTO stage_contacts SELECT 0, seq, ${id("customer_id")}, ${email("email")}, ${phone("phone")}, ${["first_name", "last_name", "country", "city", "zip", "acquisition_channel"].map(cell).join(", ")}, ${N.parseDateSql(d, "created_at", { timezone: TZ, rejectBefore1970: false })}, ${["email_consent", "sms_consent", "whatsapp_consent"].map(bool).join(", ")} FROM raw_contacts`,
  );
  await stage(
    "stage_contact_values",
    `INSERT INTO stage_contact_values SELECT 0, seq, 'tag', UNNEST(range(len(l))), UNNEST(l) FROM (SELECT seq, ${N.splitMultiSql(d, "tags")} AS l FROM raw_contacts WHERE tags IS NOT NULL)`,
  );
  await stage(
    "stage_contact_props",
    `INSERT INTO stage_contact_props SELECT 0, seq, 'skin_type', ${cell("skin_type")} FROM raw_contacts WHERE ${cell("skin_type")} IS NOT NULL`,
  );
  const status = N.orderStatusSql(d, "status", "NULL");
  await stage(
    "stage_orders",
    `INSERT INTO stage_orders SELECT 0, seq, ${cell("order_id")}, ${id("customer_id")}, ${email("email")}, NULL, day, CASE WHEN day IS NULL THEN NULL ELSE CAST(day AS DOUBLE) * 86400000 END, ${num("total")}, ${num("refunded")}, ${num("quantity")}, ${num("price")}, ${status}, CASE WHEN ${status} IS NULL THEN NULL ELSE ${N.excludedStatusSql(d, status, ["cancelled", "refunded", "voided"])} END, upper(${cell("currency")}), ${["channel", "product", "sku", "category"].map(cell).join(", ")}, NULL, NULL, NULL, NULL, NULL, NULL FROM (SELECT *, ${date("created_at")} AS day FROM raw_orders)`,
  );
  await stage(
    "stage_events",
    `INSERT INTO stage_events SELECT 0, seq, ${id("customer_id")}, NULL, ${phone("phone")}, ${cell("type")}, day FROM (SELECT *, ${date("occurred_at")} AS day FROM raw_events) WHERE day IS NOT NULL`,
  );
  await stage(
    "stage_event_properties",
    `INSERT INTO stage_event_properties SELECT 0, seq, 'campaign', campaign, ${num("campaign")}, ${N.parseBooleanSql(d, "campaign")} FROM raw_events WHERE ${cell("campaign")} IS NOT NULL`,
  );
  await stage(
    "stage_lists",
    `INSERT INTO stage_lists SELECT 0, seq, NULL, ${email("email")}, NULL, ${cell("list")} FROM raw_lists`,
  );
  print("staging", staging);
  const counts = {};
  for (const t of ["stage_contacts", "stage_orders", "stage_events", "stage_lists"])
    counts[t] = Number((await one(`SELECT count(*) AS n FROM ${t}`)).n);
  console.log(`  rows: ${JSON.stringify(counts)}`);
  for (const t of ["raw_contacts", "raw_orders", "raw_events", "raw_lists"])
    await c.run(`DROP TABLE ${t}`);
  if (keep !== undefined)
    for (const t of STAGED) await c.run(`CREATE TABLE keep.${t} AS SELECT * FROM ${t}`);
} else console.log(`staging from ${keep}`);

// buildProfileTables, every statement timed.
const fields = [
  ...Object.keys(PROFILE_FIELD_TABLE).filter((f) => !["p_alive", "predicted_spend"].includes(f)),
  "props.skin_type",
];
const build = [];
const session = {
  run: async (sql) => {
    const t0 = performance.now();
    await c.run(sql);
    build.push([sql.slice(0, 100).replace(/\s+/g, " "), (performance.now() - t0) / 1000]);
  },
  query: async (sql) => {
    const t0 = performance.now();
    const rows = (await c.runAndReadAll(sql)).getRowObjectsJS();
    build.push([sql.slice(0, 100).replace(/\s+/g, " "), (performance.now() - t0) / 1000]);
    return rows;
  },
};
const [y, m, dd] = AS_OF.split("-").map(Number);
const t0 = performance.now();
const r = await buildProfileTables(d, session, {
  asOf: dayFromParts(y, m, dd),
  fields,
  rfm: DEFAULT_RFM,
});
const wall = (performance.now() - t0) / 1000;
print("buildProfileTables (statements)", build);
console.log(
  `  wall ${wall.toFixed(2)} s; ${JSON.stringify({ customers: r.customers, buyers: r.buyers, passes: r.passes })}; rss ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`,
);
