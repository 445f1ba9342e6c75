// A peer: DuckDB computing, with SQL from the same CSV files, the per-customer aggregates the
// segment library needs, and writing one segment's CSV (repeat buyers lapsed 90 days).
// Usage: node duckdb-peer.mjs DATA_DIR OUT_CSV AS_OF [MEMORY_LIMIT]
//
// Simplifications, stated so the comparison is honest: customers are keyed by customer_id (guest
// orders by email); phone normalisation, identity merges across id/email/phone, consent and
// output profiles are not done here. The aggregate work (line items → orders → customers, windows,
// item filters, events, lists) is.
// The project's own @duckdb/node-api, the version `--engine duckdb` runs on.
import { DuckDBInstance } from "@duckdb/node-api";

const [dir, out, asOf, memoryLimit] = process.argv.slice(2);
const instance = await DuckDBInstance.create(":memory:", {
  threads: "2",
  ...(memoryLimit === undefined ? {} : { memory_limit: memoryLimit }),
});
const db = await instance.connect();
const csv = (name) => `read_csv('${dir}/${name}', header = true, all_varchar = true)`;
await db.run(`
  CREATE TABLE lines AS
  SELECT row_number() OVER () AS seq, coalesce(nullif(customer_id, ''), lower(trim(email))) AS customer,
         order_id, nullif(created_at, '') AS created_at, nullif(status, '') AS status, nullif(channel, '') AS channel,
         try_cast(nullif(total, '') AS DOUBLE) AS total, try_cast(nullif(refunded, '') AS DOUBLE) AS refunded,
         category, try_cast(nullif(quantity, '') AS DOUBLE) AS quantity, try_cast(nullif(price, '') AS DOUBLE) AS price
  FROM ${csv("orders.csv")}`);
await db.run(`
  CREATE TABLE orders AS
  SELECT order_id, first(customer ORDER BY seq) AS customer,
         CAST(first(created_at ORDER BY seq) FILTER (WHERE created_at IS NOT NULL) AS DATE) AS day,
         lower(first(status ORDER BY seq) FILTER (WHERE status IS NOT NULL)) AS status,
         first(channel ORDER BY seq) FILTER (WHERE channel IS NOT NULL) AS channel,
         coalesce(first(total ORDER BY seq) FILTER (WHERE total IS NOT NULL), sum(coalesce(quantity, 1) * coalesce(price, 0)))
           - coalesce(first(refunded ORDER BY seq) FILTER (WHERE refunded IS NOT NULL), 0) AS amount,
         bool_or(lower(category) = 'sérum') AS has_serum
  FROM lines GROUP BY order_id`);
await db.run(`
  CREATE TABLE customers AS
  SELECT customer, count(*) AS orders_count, sum(amount) AS total_spent, min(day) AS first_order, max(day) AS last_order,
         count(*) FILTER (WHERE channel = 'web') AS web_orders, count(*) FILTER (WHERE channel = 'store') AS store_orders,
         count(*) FILTER (WHERE has_serum AND day > DATE '${asOf}' - INTERVAL 30 DAY) AS serum_30d
  FROM orders
  WHERE (status IS NULL OR status NOT IN ('cancelled', 'canceled', 'refunded', 'voided')) AND day <= DATE '${asOf}'
  GROUP BY customer`);
await db.run(`
  CREATE TABLE event_counts AS
  SELECT customer_id AS customer,
         count(*) FILTER (WHERE type = 'whatsapp_inbound') AS inbound,
         count(*) FILTER (WHERE type = 'whatsapp_inbound' AND lower(handled) IN ('no', 'false', '0')) AS unhandled,
         count(*) FILTER (WHERE type = 'whatsapp_read' AND CAST(occurred_at AS TIMESTAMP) > DATE '${asOf}' - INTERVAL 90 DAY) AS read_90d
  FROM ${csv("events.csv")} GROUP BY customer_id`);
await db.run(
  `CREATE TABLE list_members AS SELECT DISTINCT lower(trim(email)) AS email, list FROM ${csv("lists.csv")}`,
);
await db.run(`
  COPY (
    SELECT c.customer_id, lower(trim(c.email)) AS email, c.first_name, c.last_name
    FROM ${csv("contacts.csv")} c JOIN customers s ON s.customer = c.customer_id
    WHERE s.orders_count >= 2 AND DATE '${asOf}' - s.last_order >= 90 AND lower(c.email_consent) IN ('yes', 'true', '1')
    ORDER BY c.customer_id
  ) TO '${out}' (HEADER, DELIMITER ',')`);
const count = await db.runAndReadAll(
  `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM event_counts), (SELECT count(*) FROM list_members)`,
);
console.log(JSON.stringify(count.getRows()[0].map(Number)));
