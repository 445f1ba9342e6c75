/**
 * The warnings of the orders sink (ingest-orders.ts `customerOf`): "invalid email left out" and
 * the phone's (a phone rounded by a spreadsheet, an invalid phone), raised when an order that
 * counts creates its customer — no earlier row of the run had its customer_id, email or phone —
 * at the order's first line, the email's before the phone's. Whether an order creates its
 * customer is known only after the identity passes, so the warnings are written in two steps, as
 * the consent warning is (stage-consent.ts):
 * 1. `stageOrders` (stage-orders.ts) writes, for every accepted order row whose email cell is
 *    given but invalid or whose phone cell gives a warning, `stage_order_keys` (`file`, `seq`,
 *    `line`, `bad_email`, `phone_warning`);
 * 2. `buildProfileTables` (profiles-sql.ts) keeps every counted order's identity row with its
 *    customer and the order's first and last row (`KEPT_TABLES`), and `stageOrderKeyWarnings` then
 *    adds the warnings of the orders that created their customer to `stage_warnings`.
 * The orders file has no other warning (the sink raises none per row), so their order among
 * themselves is the replay's: the memory engine folds an order when it closes, after its last
 * row, and the orders of a file close in the order of their last rows.
 */
import type { SqlSession } from "../engine/session.js";
import type { Dialect } from "./dialect.js";
import { KEPT_TABLES } from "./profiles-sql.js";
import { STAGE_WARNINGS } from "./stage-rejects.js";

export const STAGE_ORDER_KEYS = "stage_order_keys";

/** `CREATE TABLE IF NOT EXISTS` of `stage_order_keys`. */
export function createStageOrderKeysStatement(d: Dialect): string {
  const q = (name: string) => d.identifier(name);
  const int = d.integerType;
  return `CREATE TABLE IF NOT EXISTS ${q(STAGE_ORDER_KEYS)} (${q("file")} ${int} NOT NULL, ${q("seq")} ${int} NOT NULL, ${q("line")} ${int} NOT NULL, ${q("bad_email")} ${d.booleanType} NOT NULL, ${q("phone_warning")} ${d.textType})`;
}

/** `aud_ident.kind` of the orders (profiles-sql.ts KIND). */
const ORDERS_KIND = 1;

/**
 * Adds the warnings of the orders that created their customer to `stage_warnings`, then drops
 * `stage_order_keys`. Runs where `stageConsentWarnings` runs: after `buildProfileTables`, before
 * `replayStaged`. Without staged orders (no orders input) there is nothing to add.
 */
export async function stageOrderKeyWarnings(session: SqlSession): Promise<void> {
  const d = session.dialect;
  const q = (name: string) => d.identifier(name);
  await session.run(createStageOrderKeysStatement(d));
  const created = `SELECT o.file, o.first_seq, o.last_seq FROM ${q(KEPT_TABLES.identity)} AS k JOIN ${q(KEPT_TABLES.orders)} AS o ON o.file = k.file AND o.last_seq = k.pos WHERE k.kind = ${ORDERS_KIND} AND k.cust = k.g`;
  const keys = `SELECT c.file, c.last_seq, w.${q("line")} AS line, w.${q("bad_email")} AS bad_email, w.${q("phone_warning")} AS phone_warning FROM (${created}) AS c JOIN ${q(STAGE_ORDER_KEYS)} AS w ON w.${q("file")} = c.file AND w.${q("seq")} = c.first_seq`;
  const warnings = [
    `SELECT x.file, x.line, x.last_seq * 2 AS seq, ${d.string("invalid email left out")} AS reason FROM (${keys}) AS x WHERE x.bad_email`,
    `SELECT x.file, x.line, x.last_seq * 2 + 1 AS seq, x.phone_warning AS reason FROM (${keys}) AS x WHERE x.phone_warning IS NOT NULL`,
  ];
  const columns = ["kind", "file", "line", "seq", "reason", "detail"].map(q).join(", ");
  await session.run(
    `INSERT INTO ${q(STAGE_WARNINGS)} (${columns}) SELECT ${d.string("orders")}, w.file, w.line, w.seq, w.reason, CAST(NULL AS ${d.textType}) FROM (${warnings.join(" UNION ALL ")}) AS w`,
  );
  await session.run(`DROP TABLE IF EXISTS ${q(STAGE_ORDER_KEYS)}`);
}
