/**
 * The compiler: a checked expression + as_of → the plan IR (`PlanExpr`, plain data).
 *
 * Everything that depends on as_of is resolved here, once: DATE literals and offsets become epoch
 * days, `today` becomes as_of, time windows become inclusive day bounds. Each `orders(…)`,
 * `spent(…)` and `events(…)` call becomes an aggregate spec in an `AggregateTable` shared by all
 * the expressions of a run, so identical aggregates are computed once; the plan keeps its index.
 */
import { addDuration, windowStart } from "../calendar.js";
import type { CheckedExpr, CheckedWindow, DateBound } from "./checked.js";
import { compileCall, isFunctionNode } from "./functions/index.js";
import type { CompileContext } from "./functions/types.js";
import type { AggregateSpec, DayWindow, PlanExpr, TextPattern } from "./plan.js";
import type { EpochDay } from "../calendar.js";

/**
 * The aggregates needed by a set of compiled expressions. `add` returns the index of an identical
 * spec already present, or appends: compiling the same expressions in the same order always gives
 * the same table.
 */
export class AggregateTable {
  readonly specs: AggregateSpec[] = [];
  private readonly indexByKey = new Map<string, number>();

  add(spec: AggregateSpec): number {
    const key = aggregateKey(spec);
    const existing = this.indexByKey.get(key);
    if (existing !== undefined) return existing;
    const index = this.specs.length;
    this.specs.push(spec);
    this.indexByKey.set(key, index);
    return index;
  }
}

/** Compiles `checked` for the day `asOf`, registering its aggregates in `aggregates`. */
export function compile(
  checked: CheckedExpr,
  asOf: EpochDay,
  aggregates: AggregateTable,
): PlanExpr {
  return new Compiler(asOf, aggregates).expr(checked);
}

class Compiler implements CompileContext {
  constructor(
    readonly asOf: EpochDay,
    readonly aggregates: AggregateTable,
  ) {}

  expr(node: CheckedExpr): PlanExpr {
    // A function call compiles the way its function says (functions/).
    if (isFunctionNode(node)) return compileCall(node, this);
    const { span } = node;
    switch (node.kind) {
      case "literal":
        return { kind: "literal", type: node.type, value: node.value, span };
      case "date":
      case "offset":
      case "today":
        return { kind: "literal", type: "date", value: this.day(node), span };
      case "duration":
        return { kind: "literal", type: "duration", value: node.duration, span };
      case "list":
        return {
          kind: "list",
          type: "list",
          items: node.items.map((item) => this.expr(item)),
          span,
        };
      case "field":
        return { kind: "field", type: node.type, name: node.name, span };
      case "prop":
        return { kind: "prop", type: "string", name: node.name, span };
      case "not":
        return { kind: "not", type: "boolean", arg: this.expr(node.arg), span };
      case "negate":
        return { kind: "negate", type: "number", arg: this.expr(node.arg), span };
      case "and":
      case "or":
        return {
          kind: node.kind,
          type: "boolean",
          args: node.args.map((arg) => this.expr(arg)),
          span,
        };
      case "compare":
        return {
          kind: "compare",
          type: "boolean",
          op: node.op,
          operand: node.operand,
          left: this.expr(node.left),
          right: this.expr(node.right),
          span,
        };
      case "arith":
        return {
          kind: "arith",
          type: node.type,
          op: node.op,
          left: this.expr(node.left),
          right: this.expr(node.right),
          span,
        };
      case "in":
        return {
          kind: "in",
          type: "boolean",
          negated: node.negated,
          value: this.expr(node.value),
          list: this.expr(node.list),
          span,
        };
      case "contains":
        return {
          kind: "contains",
          type: "boolean",
          negated: node.negated,
          container: this.expr(node.container),
          item: this.expr(node.item),
          span,
        };
      case "between":
        return {
          kind: "between",
          type: "boolean",
          value: this.expr(node.value),
          low: this.expr(node.low),
          high: this.expr(node.high),
          span,
        };
      case "is_null":
        return {
          kind: "is_null",
          type: "boolean",
          negated: node.negated,
          arg: this.expr(node.arg),
          span,
        };
      default: {
        const never: never = node;
        return never;
      }
    }
  }

  /** A DATE, an OFFSET (from as_of) or `today`, as an epoch day. */
  day(bound: DateBound): EpochDay {
    switch (bound.kind) {
      case "date":
        return bound.day;
      case "offset":
        return addDuration(this.asOf, bound.duration, bound.sign);
      case "today":
        return this.asOf;
      default: {
        const never: never = bound;
        return never;
      }
    }
  }

  /**
   * `within: D` = the D calendar days ending with as_of; `since`/`until` are inclusive bounds; no
   * window = everything up to as_of. Data after as_of never counts, so `until` is capped.
   */
  window(window: CheckedWindow): DayWindow {
    if (window.within !== null) {
      return { from: windowStart(this.asOf, window.within), to: this.asOf };
    }
    return {
      from: window.since === null ? null : this.day(window.since),
      to: window.until === null ? this.asOf : Math.min(this.day(window.until), this.asOf),
    };
  }
}

/** A key equal for two specs exactly when they describe the same aggregate. */
function aggregateKey(spec: AggregateSpec): string {
  const patterns = (list: readonly TextPattern[] | null) =>
    list === null ? null : list.map((p) => [p.text, p.wildcard]);
  const window = [spec.window.from, spec.window.to];
  switch (spec.source) {
    case "orders":
      return JSON.stringify([
        "orders",
        spec.measure,
        window,
        patterns(spec.channel),
        patterns(spec.product),
        patterns(spec.sku),
        patterns(spec.category),
      ]);
    case "events":
      return JSON.stringify([
        "events",
        patterns(spec.type),
        window,
        spec.properties.map((property) => {
          const { value } = property;
          switch (value.kind) {
            case "text":
              return [property.name, "text", patterns(value.patterns)];
            case "number":
              return [property.name, "number", value.value];
            case "boolean":
              return [property.name, "boolean", value.value];
            default: {
              const never: never = value;
              return never;
            }
          }
        }),
      ]);
    default: {
      const never: never = spec;
      return never;
    }
  }
}
