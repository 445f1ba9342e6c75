/**
 * `events("type", within: …, NAME: value)`: the number of events of a type (or of several) in a
 * window whose properties equal the given values. Property names are the events file's column
 * headers in snake_case. A call compiles into an aggregate of the run's table.
 */
import { checkWindow, namedArgs, textFilter, WINDOW_ARGS } from "../arguments.js";
import type { CheckContext, NamedArg, PositionalArg } from "../check-context.js";
import type {
  CheckedEventProperty,
  CheckedPropertyValue,
  CheckedWindow,
  Node,
} from "../checked.js";
import type { EventPropertyFilter } from "../plan.js";
import { snakeCase } from "../../model/values.js";
import { suggest } from "../../suggest.js";
import { article, SNAKE_CASE } from "../wording.js";
import { compareText } from "../../compare-text.js";
import { toPatterns } from "./filters.js";
import type { DslFunction } from "./types.js";

export type EventAggregateNode = {
  kind: "event_aggregate";
  type: "number";
  eventType: string[];
  window: CheckedWindow;
  properties: CheckedEventProperty[];
} & Node;

export const events: DslFunction<EventAggregateNode> = {
  name: "events",
  usage: 'events("type", within: 30d, since: D, until: D, NAME: value)',
  kind: "event_aggregate",
  orderRows: false,
  check(expr, cx) {
    const positional = expr.args.filter((arg): arg is PositionalArg => arg.kind === "positional");
    const typeArg = positional[0];
    if (typeArg === undefined) {
      cx.error(
        "MISSING_ARGUMENT",
        "events() needs the event type as its first argument",
        expr.span,
        'e.g. events("email_open", within: 30d)',
      );
    } else if (expr.args[0] !== typeArg) {
      cx.error(
        "POSITIONAL_AFTER_NAMED",
        "the event type must be the first argument",
        typeArg.span,
        `write events(${cx.snippet(typeArg.span)}, …)`,
      );
    }
    if (positional.length > 1) {
      const extra = positional.slice(1);
      cx.error(
        "TOO_MANY_ARGUMENTS",
        `events() takes one event type, found ${positional.length}`,
        { start: extra[0].span.start, end: extra[extra.length - 1].span.end },
        'several types go in a list: events(["email_open", "email_click"]); property filters are named: NAME: value',
      );
    }
    const eventType =
      typeArg === undefined ? [] : (textFilter(cx, typeArg.value, "the event type") ?? []);
    const named = namedArgs(cx, events, expr, null);
    const checkedWindow = checkWindow(cx, named);
    const properties: CheckedEventProperty[] = [];
    for (const [name, arg] of named) {
      if ((WINDOW_ARGS as readonly string[]).includes(name)) continue;
      const value = eventProperty(cx, name, arg);
      if (value !== null) properties.push({ name, value });
    }
    return {
      kind: "event_aggregate",
      type: "number",
      eventType,
      window: checkedWindow,
      properties,
      nullable: false,
      span: expr.span,
    };
  },
  compile(node, cx) {
    const index = cx.aggregates.add({
      source: "events",
      type: toPatterns(node.eventType),
      window: cx.window(node.window),
      properties: propertyFilters(node.properties),
    });
    return { kind: "aggregate", type: "number", index, span: node.span };
  },
};

function eventProperty(cx: CheckContext, name: string, arg: NamedArg): CheckedPropertyValue | null {
  if (name === "type") {
    cx.error(
      "UNKNOWN_ARGUMENT",
      '"type" is not an event property',
      arg.nameSpan,
      'the event type is the first argument: events("…")',
    );
    return null;
  }
  if (name === "occurred_at") {
    cx.error(
      "UNKNOWN_ARGUMENT",
      '"occurred_at" is not an event property',
      arg.nameSpan,
      "select dates with within:, since: or until:",
    );
    return null;
  }
  if (!SNAKE_CASE.test(name)) {
    const lower = name.toLowerCase();
    cx.error(
      "INVALID_PROPERTY_NAME",
      `"${name}" is not a snake_case property name`,
      arg.nameSpan,
      (WINDOW_ARGS as readonly string[]).includes(lower)
        ? `write ${lower}:`
        : `event columns are read in snake_case: ${snakeCase(name) || "name"}:`,
    );
    return null;
  }
  const value = arg.value;
  const text = cx.snippet(value.span);
  switch (value.kind) {
    case "string":
    case "list": {
      const patterns = textFilter(cx, value, name);
      return patterns === null ? null : { kind: "text", patterns };
    }
    case "number":
      return { kind: "number", value: value.value };
    case "boolean":
      return { kind: "boolean", value: value.value };
    case "negate":
      if (value.operand.kind === "number") return { kind: "number", value: -value.operand.value };
      break;
    case "error":
      return null;
    case "duration": {
      const window = suggest(name, WINDOW_ARGS);
      cx.error(
        "ARGUMENT_TYPE",
        `event property ${name} is compared with a string, a number or true/false, not a duration`,
        value.span,
        window === undefined ? undefined : `did you mean ${window}: ${text}?`,
      );
      return null;
    }
    case "date":
    case "offset":
    case "today":
      cx.error(
        "ARGUMENT_TYPE",
        `event property ${name} is compared with a string, a number or true/false, not a date`,
        value.span,
        value.kind === "date" ? `write it as text: "${text}"` : undefined,
      );
      return null;
    default:
      break;
  }
  const checked = cx.check(value);
  if (checked === undefined) return null;
  const literalType =
    checked.type === "string" || checked.type === "number" || checked.type === "boolean";
  cx.error(
    literalType ? "ARGUMENT_NOT_LITERAL" : "ARGUMENT_TYPE",
    literalType
      ? `event property ${name} must be compared with a literal value (a string, a number or true/false)`
      : `event property ${name} is compared with a string, a number or true/false, not ${article(checked.type)}`,
    value.span,
  );
  return null;
}

function propertyFilters(properties: readonly CheckedEventProperty[]): EventPropertyFilter[] {
  return properties
    .map((property): EventPropertyFilter => {
      const { value } = property;
      switch (value.kind) {
        case "text":
          return {
            name: property.name,
            value: { kind: "text", patterns: toPatterns(value.patterns) },
          };
        case "number":
          return { name: property.name, value: { kind: "number", value: value.value } };
        case "boolean":
          return { name: property.name, value: { kind: "boolean", value: value.value } };
        default: {
          const never: never = value;
          return never;
        }
      }
    })
    .sort((a, b) => compareText(a.name, b.name));
}
