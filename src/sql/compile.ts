/**
 * A segment plan (`src/segments/plan-segments.ts`) → one SQL statement over the tables of
 * `tables.ts`, returning one row per (segment, customer): the members the memory engine's
 * `evaluateSegments` finds (`rows: "members"`), or the rows to write — members reachable on the
 * segment's channel with consent, one segment per customer with --exclusive (`rows: "assigned"`).
 *
 * Semantics, node by node, are the evaluator's (`src/dsl/evaluator.ts`, docs/design.md#expressions): a comparison with
 * null is false, so every boolean is wrapped to be TRUE or FALSE, never NULL, and `not` of a false
 * comparison is true; arithmetic with null (and division by zero) is NULL; strings compare in
 * lower case; `*` in a filter is a wildcard; months are calendar months. Every user value reaches
 * the SQL through the dialect's literal quoting, never pasted.
 *
 * The statement's shape:
 *   line_match   per order: whether its lines match each item filter, and their amount
 *   order_agg    per customer: each `orders(…)` / `spent(…)` of the plan
 *   event_match  per event: whether its properties match each property filter
 *   event_agg    per customer: each `events(…)` of the plan
 *   base         profiles + the aggregates (0 when nothing matched, money rounded to the cent)
 *   seg_N        the members of segment N (`where` minus `exclude`), in dependency order
 *   reach        the reachable members of each shown segment, with their rank for --exclusive
 */
import type {
  AggregateSpec,
  CompareOp,
  DayWindow,
  EventAggregateSpec,
  OrderAggregateSpec,
  PlanExpr,
  TextPattern,
} from "../dsl/plan.js";
import type { Duration } from "../calendar.js";
import type { Channel, CompiledSegment, SegmentPlan } from "../segments/definition.js";
import { closureOf } from "../segments/evaluate.js";
import { funnelConditions } from "../segments/explain.js";
import type { Dialect } from "./dialect.js";
import { profileFieldType, sqlType, TABLES } from "./tables.js";

export interface CompileOptions {
  only?: readonly string[];
  exclusive?: boolean;
  /**
   * "members": where minus exclude; "assigned": the rows to write (reachable, exclusive);
   * "flags": every member as (segment, customer, reachable, assigned), the two booleans never
   * NULL: what an engine hands back to the shared writer.
   */
  rows?: "members" | "assigned" | "flags";
  /**
   * Output columns after `phone` (rows "members" and "assigned"), each a `profiles` column: `all`
   * in every row, `bySegment` only in the rows of the segments whose `columns:` name it (NULL in
   * the others). Dates come back as DATEs, lists as one text joined by ", " (as the files write
   * them); `email` and `phone` are not repeated. Named as the files' headers: `props.` dropped.
   */
  columns?: OutputColumns;
}

export interface OutputColumns {
  all: readonly string[];
  bySegment: readonly string[];
  /**
   * `--hash`: after `phone`, the SHA-256 (hex) of the written email (Meta's and Google Ads' email
   * key), of the written E.164 phone (Google Ads') and of its digits without `+` (Meta's).
   */
  hashes?: boolean;
}

/** The hash columns of `OutputColumns.hashes`, in order. */
export const HASH_COLUMNS = ["email_sha256", "phone_sha256", "phone_digits_sha256"] as const;

/** The extra output columns of `columns`, in order, each with its result name (unique). */
export function outputColumnNames(columns: OutputColumns): { field: string; name: string }[] {
  const taken = new Set<string>([...RESULT_COLUMNS, ...(columns.hashes ? HASH_COLUMNS : [])]);
  const out: { field: string; name: string }[] = [];
  for (const field of [...columns.all, ...columns.bySegment]) {
    const name = field.startsWith("props.") ? field.slice("props.".length) : field;
    if (taken.has(name)) continue;
    taken.add(name);
    out.push({ field, name });
  }
  return out;
}

/** The statement's result columns, in order. */
export const RESULT_COLUMNS = ["segment", "customer", "customer_key", "email", "phone"] as const;

export function compileSegmentsSql(
  plan: SegmentPlan,
  dialect: Dialect,
  options: CompileOptions = {},
): string {
  return new SqlCompiler(plan, dialect).statement(options);
}

/**
 * The funnel of the segments `ids` (explain.ts `segmentFunnel`), in one row: `customers`, then for
 * the j-th segment of `ids` the customers passing its first k+1 top-level conditions (`sJ_K`,
 * each a count of `bool` — TRUE or FALSE — of those conditions together) and its members after
 * `exclude` (`mJ`). Every segment is computed, for the `in_segment` and `exclude` they read.
 */
export function compileFunnelSql(
  plan: SegmentPlan,
  dialect: Dialect,
  ids: readonly string[],
): string {
  return new SqlCompiler(plan, dialect).funnelStatement(ids);
}

/**
 * The plan's aggregates (`orders(…)`, `spent(…)`, `events(…)`) of `customer`, in one row `a_0`,
 * `a_1`, … (money to the cent, 0 when nothing matched): the values the memory engine's profiles
 * hold, which `audience explain KEY` traces. The plan must have aggregates.
 */
export function compileCustomerAggregatesSql(
  plan: SegmentPlan,
  dialect: Dialect,
  customer: number,
): string {
  return new SqlCompiler(plan, dialect).aggregatesStatement(customer);
}

const B = "b";

class SqlCompiler {
  private readonly q: (name: string) => string;
  private readonly segmentIndex = new Map<string, number>();
  /** Segments whose members are computed (all, or the --only closure). */
  private computed = new Set<string>();

  constructor(
    private readonly plan: SegmentPlan,
    private readonly d: Dialect,
  ) {
    this.q = (name) => d.identifier(name);
    plan.segments.forEach((s, i) => this.segmentIndex.set(s.id, i));
  }

  statement(options: CompileOptions): string {
    const d = this.d;
    const q = this.q;
    const plan = this.plan;
    const wanted = options.only === undefined ? undefined : closureOf(plan, options.only);
    const ctes: string[] = [];

    ctes.push(...this.aggregateCtes());
    ctes.push(`${q("base")} AS (${this.baseSelect()})`);
    ctes.push(...this.segmentCtes(wanted));

    const shown = plan.segments.filter((s) =>
      options.only === undefined ? true : options.only.includes(s.id),
    );
    const rows = options.rows ?? "assigned";
    // --exclusive order (evaluate.ts `exclusiveOrder`): priority first, then appearance.
    const ranked = [...shown].sort((a, b) => {
      const pa = a.priority ?? Infinity;
      const pb = b.priority ?? Infinity;
      if (pa !== pb) return pa - pb;
      return a.order - b.order;
    });
    const rank = new Map(ranked.map((s, i) => [s.id, i]));

    const parts = shown
      .filter((s) => this.computed.has(s.id))
      .map((segment) =>
        this.reachSelect(segment, rank.get(segment.id) as number, rows, options.columns),
      );
    if (parts.length === 0) {
      return `SELECT CAST(NULL AS ${d.textType}) AS ${q("segment")}, CAST(NULL AS ${d.integerType}) AS ${q("customer")}, CAST(NULL AS ${d.textType}) AS ${q("customer_key")}, CAST(NULL AS ${d.textType}) AS ${q("email")}, CAST(NULL AS ${d.textType}) AS ${q("phone")} FROM ${d.tableName(TABLES.profiles)} WHERE FALSE`;
    }
    ctes.push(`${q("reach")} AS (${parts.join(" UNION ALL ")})`);
    const r = "r";
    if (rows === "flags") {
      const reachable = `${r}.${q("reachable")}`;
      const assigned = options.exclusive
        ? `COALESCE(${reachable} AND ${r}.${q("rank")} = MIN(CASE WHEN ${reachable} THEN ${r}.${q("rank")} END) OVER (PARTITION BY ${r}.${q("customer")}), FALSE)`
        : reachable;
      return `WITH ${ctes.join(",\n")}\nSELECT ${r}.${q("segment")}, ${r}.${q("customer")}, ${reachable}, ${assigned} AS ${q("assigned")} FROM ${q("reach")} AS ${r} ORDER BY ${r}.${q("rank")}, ${r}.${q("customer")}`;
    }
    const extra = options.columns === undefined ? [] : outputColumnNames(options.columns);
    const hashes = options.columns?.hashes === true ? HASH_COLUMNS : [];
    let select = `SELECT ${[...RESULT_COLUMNS, ...hashes, ...extra.map((c) => c.name)].map((c) => `${r}.${q(c)}`).join(", ")} FROM ${q("reach")} AS ${r}`;
    if (options.exclusive && rows === "assigned") {
      select += ` JOIN (SELECT ${q("customer")}, MIN(${q("rank")}) AS ${q("first_rank")} FROM ${q("reach")} GROUP BY ${q("customer")}) AS f ON f.${q("customer")} = ${r}.${q("customer")} AND f.${q("first_rank")} = ${r}.${q("rank")}`;
    }
    select += ` ORDER BY ${r}.${q("rank")}, ${r}.${q("customer")}`;
    return `WITH ${ctes.join(",\n")}\n${select}`;
  }

  /** The members of each segment (all, or those of `wanted`), in dependency order. */
  private segmentCtes(wanted: ReadonlySet<string> | undefined): string[] {
    const q = this.q;
    const byId = new Map(this.plan.segments.map((s) => [s.id, s]));
    const ctes: string[] = [];
    for (const id of this.plan.evaluationOrder) {
      if (wanted !== undefined && !wanted.has(id)) continue;
      const segment = byId.get(id);
      if (segment === undefined) continue;
      const conditions = [this.bool(segment.where)];
      for (const x of segment.exclude) {
        if (!this.computed.has(x)) continue;
        conditions.push(
          `${B}.${q("customer")} NOT IN (SELECT ${q("customer")} FROM ${this.segmentCte(x)})`,
        );
      }
      ctes.push(
        `${this.segmentCte(id)} AS (SELECT ${B}.${q("customer")} FROM ${q("base")} AS ${B} WHERE ${conditions.join(" AND ")})`,
      );
      this.computed.add(id);
    }
    return ctes;
  }

  /** `compileFunnelSql`: every segment computed (`in_segment`, `exclude`), one row of counts. */
  funnelStatement(ids: readonly string[]): string {
    const q = this.q;
    const ctes = [
      ...this.aggregateCtes(),
      `${q("base")} AS (${this.baseSelect()})`,
      ...this.segmentCtes(undefined),
    ];
    const byId = new Map(this.plan.segments.map((s) => [s.id, s]));
    const count = (test: string) => `COALESCE(SUM(CASE WHEN ${test} THEN 1 ELSE 0 END), 0)`;
    const cols = [`COUNT(*) AS ${q("customers")}`];
    ids.forEach((id, j) => {
      const segment = byId.get(id);
      if (segment === undefined) throw new Error(`no segment ${id} in the plan`);
      const tests = funnelConditions(segment.where).map((c) => this.bool(c));
      tests.forEach((_, k) =>
        cols.push(`${count(tests.slice(0, k + 1).join(" AND "))} AS ${q(`s${j}_${k}`)}`),
      );
      cols.push(`(SELECT COUNT(*) FROM ${this.segmentCte(id)}) AS ${q(`m${j}`)}`);
    });
    return `WITH ${ctes.join(",\n")}\nSELECT ${cols.join(", ")} FROM ${q("base")} AS ${B}`;
  }

  /** `compileCustomerAggregatesSql`: the plan's aggregates of one customer. */
  aggregatesStatement(customer: number): string {
    const q = this.q;
    const ctes = [...this.aggregateCtes(), `${q("base")} AS (${this.baseSelect()})`];
    const cols = this.plan.aggregates.map((_, i) => `${B}.${q(`a_${i}`)}`);
    return `WITH ${ctes.join(",\n")}\nSELECT ${cols.join(", ")} FROM ${q("base")} AS ${B} WHERE ${B}.${q("customer")} = ${this.d.integer(customer)}`;
  }

  private segmentCte(id: string): string {
    return this.q(`seg_${this.segmentIndex.get(id) ?? -1}`);
  }

  private reachSelect(
    segment: CompiledSegment,
    rank: number,
    rows: "members" | "assigned" | "flags",
    columns: OutputColumns | undefined,
  ): string {
    const q = this.q;
    const d = this.d;
    const col = (name: string) => `${B}.${q(name)}`;
    const ignore = segment.consent === "ignore";
    const byEmail = `(${col("email")} IS NOT NULL${ignore ? "" : ` AND ${col("email_consent")}`})`;
    const byPhone = (consent: string) =>
      `(${col("phone")} IS NOT NULL AND ${col("can_text")}${ignore ? "" : ` AND ${col(consent)}`})`;
    const reach = reachCondition(segment.channel, byEmail, byPhone);
    // The identifiers written (output-profiles.ts `identifiersFor`).
    const ids = identifierColumns(segment.channel, col, byEmail, byPhone("sms_consent"), d);
    const where = [
      `${col("customer")} IN (SELECT ${q("customer")} FROM ${this.segmentCte(segment.id)})`,
    ];
    if (rows === "assigned") where.push(reach);
    const flag = rows === "flags" ? `, ${reach} AS ${q("reachable")}` : "";
    const hashes =
      columns?.hashes !== true || rows === "flags"
        ? ""
        : [
            d.sha256Hex(ids.email),
            d.sha256Hex(ids.phone),
            d.sha256Hex(`REPLACE(${ids.phone}, ${d.string("+")}, ${d.string("")})`),
          ]
            .map((hash, i) => `, ${hash} AS ${q(HASH_COLUMNS[i])}`)
            .join("");
    const extra =
      columns === undefined || rows === "flags"
        ? ""
        : outputColumnNames(columns)
            .map(({ field, name }) => {
              const shown = columns.all.includes(field) || segment.columns.includes(field);
              const type = profileFieldType(field);
              const value = shown ? col(field) : `CAST(NULL AS ${sqlType(d, type)})`;
              const out =
                type === "integer"
                  ? d.epochDayToDate(value)
                  : type === "text_list"
                    ? d.joinList(value, ", ")
                    : value;
              return `, ${out} AS ${q(name)}`;
            })
            .join("");
    return `SELECT ${d.string(segment.id)} AS ${q("segment")}, ${d.integer(rank)} AS ${q("rank")}, ${col("customer")} AS ${q("customer")}, ${col("customer_key")} AS ${q("customer_key")}, ${ids.email} AS ${q("email")}, ${ids.phone} AS ${q("phone")}${hashes}${extra}${flag} FROM ${q("base")} AS ${B} WHERE ${where.join(" AND ")}`;
  }

  // ---- aggregates ------------------------------------------------------------------------------

  private aggregateCtes(): string[] {
    const q = this.q;
    const d = this.d;
    const asOf = this.plan.asOf;
    const specs = this.plan.aggregates;
    const orderSpecs = specs
      .map((spec, index) => ({ spec, index }))
      .filter((x): x is { spec: OrderAggregateSpec; index: number } => x.spec.source === "orders");
    const eventSpecs = specs
      .map((spec, index) => ({ spec, index }))
      .filter((x): x is { spec: EventAggregateSpec; index: number } => x.spec.source === "events");
    const ctes: string[] = [];

    if (orderSpecs.length > 0) {
      const itemSpecs = orderSpecs.filter(({ spec }) => hasItemFilter(spec));
      const o = "o";
      const l = "l";
      if (itemSpecs.length > 0) {
        const cols = itemSpecs.flatMap(({ spec, index }) => {
          const test = [
            patternTest(d, `${l}.${q("product")}`, spec.product),
            patternTest(d, `${l}.${q("sku")}`, spec.sku),
            patternTest(d, `${l}.${q("category")}`, spec.category),
          ]
            .filter((t): t is string => t !== undefined)
            .join(" AND ");
          return [
            `MAX(CASE WHEN ${test} THEN 1 ELSE 0 END) AS ${q(`m_${index}`)}`,
            `SUM(CASE WHEN ${test} THEN ${l}.${q("amount")} ELSE ${d.number(0)} END) AS ${q(`s_${index}`)}`,
          ];
        });
        ctes.push(
          `${q("line_match")} AS (SELECT ${l}.${q("order_key")}, ${cols.join(", ")} FROM ${d.tableName(TABLES.orderLines)} AS ${l} GROUP BY ${l}.${q("order_key")})`,
        );
      }
      const cols = orderSpecs.map(({ spec, index }) => {
        const conditions = [windowTest(d, `${o}.${q("day")}`, spec.window, asOf)];
        const channel = patternTest(d, `${o}.${q("channel")}`, spec.channel);
        if (channel !== undefined) conditions.push(channel);
        const lm = `lm.${q(`m_${index}`)}`;
        if (hasItemFilter(spec)) conditions.push(`${lm} = 1`);
        const value =
          spec.measure === "count"
            ? d.number(1)
            : hasItemFilter(spec)
              ? `lm.${q(`s_${index}`)}`
              : `${o}.${q("amount")}`;
        return `SUM(CASE WHEN ${conditions.join(" AND ")} THEN ${value} ELSE ${d.number(0)} END) AS ${q(`a_${index}`)}`;
      });
      const join =
        itemSpecs.length > 0
          ? ` LEFT JOIN ${q("line_match")} AS lm ON lm.${q("order_key")} = ${o}.${q("order_key")}`
          : "";
      ctes.push(
        `${q("order_agg")} AS (SELECT ${o}.${q("customer")}, ${cols.join(", ")} FROM ${d.tableName(TABLES.orders)} AS ${o}${join} GROUP BY ${o}.${q("customer")})`,
      );
    }

    if (eventSpecs.length > 0) {
      const e = "e";
      const ep = "ep";
      const propertyCols: string[] = [];
      for (const { spec, index } of eventSpecs) {
        spec.properties.forEach((property, k) => {
          const name = `${ep}.${q("name")} = ${d.string(property.name)}`;
          let test: string;
          const value = property.value;
          switch (value.kind) {
            case "text":
              test = patternTest(d, `${ep}.${q("text")}`, value.patterns) ?? "FALSE";
              break;
            case "number":
              test = `COALESCE(${ep}.${q("number")} = ${d.number(value.value)}, FALSE)`;
              break;
            case "boolean":
              test = `COALESCE(${ep}.${q("flag")} = ${value.value ? "TRUE" : "FALSE"}, FALSE)`;
              break;
            default: {
              const never: never = value;
              throw new Error(`unknown property value ${String(never)}`);
            }
          }
          propertyCols.push(
            `MAX(CASE WHEN ${name} AND ${test} THEN 1 ELSE 0 END) AS ${q(`p_${index}_${k}`)}`,
          );
        });
      }
      if (propertyCols.length > 0) {
        ctes.push(
          `${q("event_match")} AS (SELECT ${ep}.${q("event_key")}, ${propertyCols.join(", ")} FROM ${d.tableName(TABLES.eventProperties)} AS ${ep} GROUP BY ${ep}.${q("event_key")})`,
        );
      }
      const cols = eventSpecs.map(({ spec, index }) => {
        const conditions = [
          windowTest(d, `${e}.${q("day")}`, spec.window, asOf),
          patternTest(d, `${e}.${q("type")}`, spec.type) ?? "FALSE",
          ...spec.properties.map((_, k) => `COALESCE(em.${q(`p_${index}_${k}`)}, 0) = 1`),
        ];
        return `SUM(CASE WHEN ${conditions.join(" AND ")} THEN ${d.number(1)} ELSE ${d.number(0)} END) AS ${q(`a_${index}`)}`;
      });
      const join =
        propertyCols.length > 0
          ? ` LEFT JOIN ${q("event_match")} AS em ON em.${q("event_key")} = ${e}.${q("event_key")}`
          : "";
      ctes.push(
        `${q("event_agg")} AS (SELECT ${e}.${q("customer")}, ${cols.join(", ")} FROM ${d.tableName(TABLES.events)} AS ${e}${join} GROUP BY ${e}.${q("customer")})`,
      );
    }
    return ctes;
  }

  private baseSelect(): string {
    const q = this.q;
    const d = this.d;
    const p = "p";
    const hasOrders = this.plan.aggregates.some((s) => s.source === "orders");
    const hasEvents = this.plan.aggregates.some((s) => s.source === "events");
    // Money sums are seen to the cent, as `Profiles` rounds them (Math.round: half up).
    const cols = this.plan.aggregates.map((spec: AggregateSpec, index) => {
      const from = spec.source === "orders" ? "ao" : "ae";
      const raw = `COALESCE(${from}.${q(`a_${index}`)}, ${d.number(0)})`;
      return `FLOOR(${raw} * ${d.number(100)} + ${d.number(0.5)}) / ${d.number(100)} AS ${q(`a_${index}`)}`;
    });
    let sql = `SELECT ${[`${p}.*`, ...cols].join(", ")} FROM ${d.tableName(TABLES.profiles)} AS ${p}`;
    if (hasOrders)
      sql += ` LEFT JOIN ${q("order_agg")} AS ao ON ao.${q("customer")} = ${p}.${q("customer")}`;
    if (hasEvents)
      sql += ` LEFT JOIN ${q("event_agg")} AS ae ON ae.${q("customer")} = ${p}.${q("customer")}`;
    return sql;
  }

  // ---- expressions -----------------------------------------------------------------------------

  /** A boolean expression as SQL that is TRUE or FALSE, never NULL. */
  bool(node: PlanExpr): string {
    const d = this.d;
    switch (node.kind) {
      case "literal":
        return node.value === true ? "TRUE" : "FALSE";
      case "field":
      case "prop":
        return `COALESCE(${this.value(node)}, FALSE)`;
      case "in_segment":
        return this.computed.has(node.segment)
          ? `${B}.${this.q("customer")} IN (SELECT ${this.q("customer")} FROM ${this.segmentCte(node.segment)})`
          : "FALSE";
      case "starts_with":
        return `COALESCE(${d.startsWith(d.lower(this.value(node.text)), d.lower(this.value(node.prefix)))}, FALSE)`;
      case "not":
        return `(NOT ${this.bool(node.arg)})`;
      case "and":
      case "or": {
        if (node.args.length === 0) return node.kind === "and" ? "TRUE" : "FALSE";
        const joiner = node.kind === "and" ? " AND " : " OR ";
        return `(${node.args.map((a) => this.bool(a)).join(joiner)})`;
      }
      case "compare":
        return this.compare(node.op, node.left, node.right);
      case "in": {
        if (isNullLiteral(node.value)) return "FALSE";
        const items = node.list.kind === "list" ? node.list.items : [];
        const found =
          items.length === 0
            ? "FALSE"
            : `(${items.map((i) => this.equal(node.value, i)).join(" OR ")})`;
        if (!node.negated) return found;
        return `(${this.value(node.value)} IS NOT NULL AND NOT ${found})`;
      }
      case "contains":
        return this.contains(node.container, node.item, node.negated);
      case "between": {
        const parts = [node.value, node.low, node.high];
        if (parts.some(isNullLiteral)) return "FALSE";
        const kind = comparable(parts);
        if (kind === undefined) return "FALSE";
        const [v, lo, hi] = parts.map((p) =>
          kind === "string" ? d.lower(this.value(p)) : this.value(p),
        );
        if (kind === "string")
          return `COALESCE(${d.compareText(lo, "<=", v)} AND ${d.compareText(v, "<=", hi)}, FALSE)`;
        return `COALESCE((${lo} <= ${v} AND ${v} <= ${hi}), FALSE)`;
      }
      case "is_null":
        return this.isNull(node.arg, node.negated);
      case "list":
      case "aggregate":
      case "days_since":
      case "negate":
      case "arith":
        // Not boolean: `=== true` fails.
        return "FALSE";
      default: {
        const never: never = node;
        throw new Error(`unknown expression ${String(never)}`);
      }
    }
  }

  private isNull(arg: PlanExpr, negated: boolean): string {
    // Booleans and lists are never null (the evaluator gives false / an empty list).
    if (arg.type === "boolean" || arg.kind === "list" || arg.type === "list")
      return negated ? "TRUE" : "FALSE";
    if (isNullLiteral(arg)) return negated ? "FALSE" : "TRUE";
    return `(${this.value(arg)} IS ${negated ? "NOT " : ""}NULL)`;
  }

  /** The evaluator's `equal` of two values, TRUE or FALSE: strings without case. */
  private equal(a: PlanExpr, b: PlanExpr): string {
    if (isNullLiteral(a) || isNullLiteral(b)) return "FALSE";
    if (a.type !== b.type && !(isNumeric(a.type) && isNumeric(b.type))) return "FALSE";
    if (a.type === "string")
      return `COALESCE(${this.d.lower(this.value(a))} = ${this.d.lower(this.value(b))}, FALSE)`;
    if (a.type === "list" || a.type === "duration") return "FALSE";
    return `COALESCE(${this.value(a)} = ${this.value(b)}, FALSE)`;
  }

  private compare(op: CompareOp, left: PlanExpr, right: PlanExpr): string {
    const d = this.d;
    if (isNullLiteral(left) || isNullLiteral(right)) return "FALSE";
    if (op === "=") return this.equal(left, right);
    if (op === "!=") {
      const eq = this.equal(left, right);
      return `(${this.value(left)} IS NOT NULL AND ${this.value(right)} IS NOT NULL AND NOT ${eq})`;
    }
    const kind = comparable([left, right]);
    if (kind === "string")
      return `COALESCE(${d.compareText(d.lower(this.value(left)), op, d.lower(this.value(right)))}, FALSE)`;
    if (kind === "number")
      return `COALESCE((${this.value(left)} ${op} ${this.value(right)}), FALSE)`;
    return "FALSE";
  }

  private contains(container: PlanExpr, item: PlanExpr, negated: boolean): string {
    const d = this.d;
    if (isNullLiteral(container) || isNullLiteral(item)) return "FALSE";
    let found: string;
    let present: string;
    if (container.kind === "list") {
      found =
        container.items.length === 0
          ? "FALSE"
          : `(${container.items.map((i) => this.equal(i, item)).join(" OR ")})`;
      present = `${this.value(item)} IS NOT NULL`;
    } else if (container.type === "list") {
      if (item.type !== "string") return negated ? `(${this.value(item)} IS NOT NULL)` : "FALSE";
      const needle = d.lower(this.value(item));
      found = `COALESCE(${d.listContainsLower(this.value(container), needle)}, FALSE)`;
      present = `${this.value(item)} IS NOT NULL`;
    } else if (container.type === "string" && item.type === "string") {
      found = `COALESCE(${d.containsText(d.lower(this.value(container)), d.lower(this.value(item)))}, FALSE)`;
      present = `${this.value(container)} IS NOT NULL AND ${this.value(item)} IS NOT NULL`;
    } else {
      return "FALSE";
    }
    return negated ? `(${present} AND NOT ${found})` : found;
  }

  /** A value: number (double), string, date (integer epoch day), list, or NULL. */
  value(node: PlanExpr): string {
    const d = this.d;
    switch (node.kind) {
      case "literal": {
        const v = node.value;
        if (v === null) return "NULL";
        if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
        if (typeof v === "string") return d.string(v);
        if (typeof v === "number") return node.type === "date" ? d.integer(v) : d.number(v);
        // A duration stands only beside a date in arithmetic (handled there).
        return "NULL";
      }
      case "field":
        return `${B}.${this.q(node.name)}`;
      case "prop":
        return `${B}.${this.q(node.name.startsWith("props.") ? node.name : `props.${node.name}`)}`;
      case "aggregate":
        return `${B}.${this.q(`a_${node.index}`)}`;
      case "days_since":
        return `(${d.number(this.plan.asOf)} - ${d.castDouble(this.value(node.arg))})`;
      case "negate":
        return `(- ${this.value(node.arg)})`;
      case "arith":
        return this.arith(node.op, node.left, node.right);
      case "list":
        // Lists are read item by item by `in` and `contains`; a list as a value is not comparable.
        return "NULL";
      case "in_segment":
      case "starts_with":
      case "not":
      case "and":
      case "or":
      case "compare":
      case "in":
      case "contains":
      case "between":
      case "is_null":
        return this.bool(node);
      default: {
        const never: never = node;
        throw new Error(`unknown expression ${String(never)}`);
      }
    }
  }

  private arith(op: "+" | "-" | "*" | "/", left: PlanExpr, right: PlanExpr): string {
    const d = this.d;
    if (isNullLiteral(left) || isNullLiteral(right)) return "NULL";
    const duration = (n: PlanExpr): Duration | undefined =>
      n.kind === "literal" && n.type === "duration" ? (n.value as Duration) : undefined;
    const rd = duration(right);
    const ld = duration(left);
    if (rd !== undefined && ld === undefined && isNumeric(left.type)) {
      if (op !== "+" && op !== "-") return "NULL";
      return this.moveDay(this.value(left), rd, op === "+" ? 1 : -1);
    }
    if (ld !== undefined && rd === undefined && isNumeric(right.type) && op === "+") {
      return this.moveDay(this.value(right), ld, 1);
    }
    if (!isNumeric(left.type) || !isNumeric(right.type)) return "NULL";
    const a = d.castDouble(this.value(left));
    const b = d.castDouble(this.value(right));
    if (op === "/") return d.divide(a, b);
    return `(${a} ${op} ${b})`;
  }

  private moveDay(day: string, duration: Duration, sign: 1 | -1): string {
    const d = this.d;
    switch (duration.unit) {
      case "d":
        return `(${day} + ${d.integer(sign * duration.count)})`;
      case "w":
        return `(${day} + ${d.integer(sign * 7 * duration.count)})`;
      case "m":
        return d.addMonths(day, sign * duration.count);
      case "y":
        return d.addMonths(day, sign * 12 * duration.count);
      default: {
        const never: never = duration.unit;
        throw new Error(`unknown duration unit ${String(never)}`);
      }
    }
  }
}

function isNullLiteral(node: PlanExpr): boolean {
  return (node.kind === "literal" && node.value === null) || node.type === "null";
}

function isNumeric(type: PlanExpr["type"]): boolean {
  return type === "number" || type === "date";
}

/** The kind the evaluator orders values as: numbers (dates are numbers), strings, or neither. */
function comparable(nodes: readonly PlanExpr[]): "number" | "string" | undefined {
  if (nodes.every((n) => isNumeric(n.type))) return "number";
  if (nodes.every((n) => n.type === "string")) return "string";
  return undefined;
}

function hasItemFilter(spec: OrderAggregateSpec): boolean {
  return spec.product !== null || spec.sku !== null || spec.category !== null;
}

/** `day` within the window and never after as_of (docs/design.md#profile: point in time). */
function windowTest(d: Dialect, day: string, window: DayWindow, asOf: number): string {
  const to = window.to === null ? asOf : Math.min(window.to, asOf);
  const parts = [`${day} <= ${d.integer(to)}`];
  if (window.from !== null) parts.push(`${day} >= ${d.integer(window.from)}`);
  return parts.join(" AND ");
}

/**
 * Whether `column` matches any of `patterns` (patterns.ts): trimmed and lowercased, equal to a
 * plain pattern or LIKE a wildcard one; NULL matches nothing. Undefined when there is no filter.
 */
export function patternTest(
  d: Dialect,
  column: string,
  patterns: readonly TextPattern[] | null,
): string | undefined {
  if (patterns === null) return undefined;
  if (patterns.length === 0) return "FALSE";
  const text = d.lower(d.trim(column));
  const exact = patterns.filter((p) => !p.wildcard).map((p) => d.string(p.text.toLowerCase()));
  const tests: string[] = [];
  if (exact.length > 0) tests.push(`${text} IN (${exact.join(", ")})`);
  for (const p of patterns.filter((p) => p.wildcard))
    tests.push(d.wildcard(text, p.text.toLowerCase()));
  return `COALESCE((${tests.join(" OR ")}), FALSE)`;
}

function reachCondition(
  channel: Channel,
  byEmail: string,
  byPhone: (consent: string) => string,
): string {
  switch (channel) {
    case "email":
      return byEmail;
    case "sms":
      return byPhone("sms_consent");
    case "whatsapp":
      return byPhone("whatsapp_consent");
    case "any":
      return `(${byEmail} OR ${byPhone("sms_consent")})`;
    case "none":
      return "TRUE";
    default: {
      const never: never = channel;
      throw new Error(`unknown channel ${String(never)}`);
    }
  }
}

function identifierColumns(
  channel: Channel,
  col: (name: string) => string,
  byEmail: string,
  bySms: string,
  d: Dialect,
): { email: string; phone: string } {
  const none = `CAST(NULL AS ${d.textType})`;
  switch (channel) {
    case "email":
      return { email: col("email"), phone: none };
    case "sms":
    case "whatsapp":
      return { email: none, phone: col("phone") };
    case "any":
      return {
        email: `CASE WHEN ${byEmail} THEN ${col("email")} END`,
        phone: `CASE WHEN ${bySms} THEN ${col("phone")} END`,
      };
    case "none":
      return { email: col("email"), phone: col("phone") };
    default: {
      const never: never = channel;
      throw new Error(`unknown channel ${String(never)}`);
    }
  }
}
