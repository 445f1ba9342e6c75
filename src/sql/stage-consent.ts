/**
 * The one staging warning that depends on identity (docs/design.md#engines): "duplicate contact
 * rows disagree on consent; kept no" (ingest-contacts.ts `consent`). The memory engine meets a
 * customer's contact rows in reading order (file, then row; rows dated after as_of are skipped
 * first); each consent keeps its first non-empty value, and a later row with another value sets it
 * to "no" — warned at that row, once per customer and contacts file (the file's sink keeps the
 * set), whichever of the three consents disagrees first. A value is the raw cell as parseBoolean
 * reads it, an unrecognised word as "no" (its own warning comes first, stage-people.ts).
 *
 * Which rows are one customer is known only after the identity passes, so the warning is written
 * in two steps:
 * 1. `stagePeople` (stage-people.ts) writes every counted contact row's three consent values into
 *    `stage_contact_consents` (`file`, `seq`, `line`, `c0` email, `c1` SMS, `c2` WhatsApp: TRUE,
 *    FALSE, or NULL for an empty cell);
 * 2. `buildProfileTables` (profiles-sql.ts) keeps each contact row's customer (`KEPT_CONTACTS`),
 *    and `stageConsentWarnings` then adds the warnings to `stage_warnings`.
 *
 * The staged values say what the memory engine's column holds before each row: with `no` the first
 * row saying no and `yes` the first saying yes, a row says something else exactly when it says yes
 * after a no, or it is the first no after a yes. The profile's consent ("no" wins, profiles-sql.ts)
 * is the same rule's result and needs none of this.
 */
import type { SqlSession } from "../engine/session.js";
import type { Dialect } from "./dialect.js";
import { KEPT_CONTACTS } from "./profiles-sql.js";
import { STAGE_WARNINGS } from "./stage-rejects.js";

export const STAGE_CONSENTS = "stage_contact_consents";

/** `CREATE TABLE` of `stage_contact_consents` (dropped first when it exists). */
export function createStageConsentStatements(d: Dialect): string[] {
  const q = (name: string) => d.identifier(name);
  const int = d.integerType;
  const bool = d.booleanType;
  return [
    `DROP TABLE IF EXISTS ${q(STAGE_CONSENTS)}`,
    `CREATE TABLE ${q(STAGE_CONSENTS)} (${q("file")} ${int} NOT NULL, ${q("seq")} ${int} NOT NULL, ${q("line")} ${int} NOT NULL, ${q("c0")} ${bool}, ${q("c1")} ${bool}, ${q("c2")} ${bool})`,
  ];
}

/**
 * stage-people.ts `CALL`: a row's calls are numbered row × 16 + call, the unrecognised-value
 * warning of consent k being call 3 + 2k; the disagreement found at consent k comes right after
 * it, before the next consent's.
 */
const PER_ROW = 16;
const conflictCall = (k: number) => 3 + 2 * k + 1;

const CONSENT_WARNING = "duplicate contact rows disagree on consent; kept no";

/**
 * Adds the consent warnings of the staged contact rows to `stage_warnings`, then drops
 * `stage_contact_consents` and the kept table. The caller runs, on one session: `stagePeople`
 * (which fills `stage_contact_consents`), the rest of the staging, `buildProfileTables` (which
 * keeps `KEPT_CONTACTS`), then this, then `replayStaged` — so the replay hands these warnings to the
 * RejectLog in the memory engine's order among the others (the five examples a file shows depend on
 * it). With --strict the replay's first reject still throws, after the build instead of before it.
 */
export async function stageConsentWarnings(session: SqlSession): Promise<void> {
  const d = session.dialect;
  const q = (name: string) => d.identifier(name);
  const ks = [0, 1, 2];
  const firsts = ks.flatMap((k) => [
    `MIN(CASE WHEN NOT t.${q(`c${k}`)} THEN k.g END) OVER (PARTITION BY k.cust) AS no${k}`,
    `MIN(CASE WHEN t.${q(`c${k}`)} THEN k.g END) OVER (PARTITION BY k.cust) AS yes${k}`,
  ]);
  const differs = (k: number) =>
    `(y.c${k} AND y.no${k} < y.g) OR (NOT y.c${k} AND y.g = y.no${k} AND y.yes${k} < y.g)`;
  const call = `CASE ${ks.map((k) => `WHEN ${differs(k)} THEN ${conflictCall(k)}`).join(" ")} END`;
  const rows = `SELECT t.${q("file")} AS file, t.${q("seq")} AS seq, t.${q("line")} AS line, ${ks.map((k) => `t.${q(`c${k}`)} AS c${k}`).join(", ")}, k.g, k.cust, ${firsts.join(", ")} FROM ${q(STAGE_CONSENTS)} AS t JOIN ${q(KEPT_CONTACTS)} AS k ON k.file = t.${q("file")} AND k.seq = t.${q("seq")}`;
  const calls = `SELECT y.file, y.seq, y.line, y.g, y.cust, ${call} AS warn_call FROM (${rows}) AS y`;
  const first = `SELECT z.*, ROW_NUMBER() OVER (PARTITION BY z.cust, z.file ORDER BY z.g) AS n FROM (${calls}) AS z WHERE z.warn_call IS NOT NULL`;
  const columns = ["kind", "file", "line", "seq", "reason", "detail"].map(q).join(", ");
  await session.run(
    `INSERT INTO ${q(STAGE_WARNINGS)} (${columns}) SELECT ${d.string("contacts")}, w.file, w.line, w.seq * ${PER_ROW} + w.warn_call, ${d.string(CONSENT_WARNING)}, CAST(NULL AS ${d.textType}) FROM (${first}) AS w WHERE w.n = 1`,
  );
  await session.run(`DROP TABLE IF EXISTS ${q(STAGE_CONSENTS)}`);
  await session.run(`DROP TABLE IF EXISTS ${q(KEPT_CONTACTS)}`);
}
