/**
 * `audience.yaml` → typed settings, validated in phases (STYLE habit 4): YAML syntax, then the
 * schema (unknown keys with "did you mean"), then values that need more than a schema (time zone,
 * country, as_of, orders_filter, RFM thresholds and map). Every problem is collected with its
 * position so the user sees them all at once.
 */
import { isScalar, LineCounter, type Node, type Scalar } from "yaml";
import { getCountries } from "libphonenumber-js";
import { parseIsoDay, type EpochDay } from "../calendar.js";
import { checkExpression, type CheckedExpr } from "../dsl/index.js";
import { ORDER_ROW_ENV } from "../dsl/env.js";
import type { Diagnostic } from "../errors.js";
import type { Delimiter } from "../io/csv-reader.js";
import type { DateOrder } from "../model/dates.js";
import { ZoneClock } from "../model/dates.js";
import { buildRfmMap, DEFAULT_RFM_MAP } from "../rfm/segment-map.js";
import type { RfmCutPoints, RfmSettings } from "../rfm/settings.js";
import type { OutputFormat } from "../segments/definition.js";
import { parseYamlWithExpressions } from "../segments/plain-expressions.js";
import { mapScalar, mapSpan, type ScalarStyle } from "../segments/source-map.js";
import { suggest } from "../suggest.js";
import { CONFIG_SCHEMA } from "./config-schema.js";
import { PRESETS, type ColumnMap, type InputKind, type Preset } from "./presets.js";
import {
  diagnosticAt,
  diagnosticAtRange,
  locate,
  validateNode,
  type SourceFile,
} from "./schema.js";

/** The config file's values, paths still as written. */
export interface ConfigValues {
  /** Files or name patterns (`orders_export*.csv`), as written. */
  contacts?: string[];
  orders?: string[];
  events?: string[];
  lists?: string[];
  preset?: string;
  columns?: Partial<Record<InputKind, ColumnMap>>;
  delimiter?: Delimiter;
  decimal?: "." | ",";
  segments?: string[];
  out?: string;
  format?: OutputFormat;
  timezone?: string;
  default_country?: string;
  date_order?: DateOrder;
  orders_filter?: CheckedFilter;
  exclude_status?: string[];
  currency?: string;
  exchange_rates?: Record<string, number>;
  reporting_currency?: string;
  rfm?: RfmSettings;
  as_of?: EpochDay;
  hash?: boolean;
  exclusive?: boolean;
  strict?: boolean;
  history?: { keep?: number };
}

export interface CheckedFilter {
  text: string;
  checked: CheckedExpr;
}

export interface LoadedConfig {
  values: ConfigValues;
  diagnostics: Diagnostic[];
}

let zones: string[] | undefined;
function knownZones(): string[] {
  zones ??= Intl.supportedValuesOf("timeZone");
  return zones;
}

/** Parses and checks the text of an `audience.yaml`. Pure: the caller reads the file. */
export function loadConfigText(file: string, text: string): LoadedConfig {
  const lineCounter = new LineCounter();
  const source: SourceFile = { file, text, lineCounter };
  const doc = parseYamlWithExpressions(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const diagnostics: Diagnostic[] = [];
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    diagnostics.push({
      file,
      ...locate(source, start, end),
      severity: "error",
      code: "YAML_SYNTAX",
      message: error.message.split("\n")[0],
      source: text,
    });
  }
  if (diagnostics.length > 0) return { values: {}, diagnostics };
  if (doc.contents === null) return { values: {}, diagnostics };

  const validated = validateNode(source, doc.contents as Node, CONFIG_SCHEMA);
  diagnostics.push(...validated.diagnostics);
  const raw = (validated.value ?? {}) as Record<string, unknown>;
  const values: ConfigValues = {};
  const nodeAt = (...path: string[]): Node | undefined => doc.getIn(path, true) as Node | undefined;
  const fail = (node: Node | undefined, code: string, message: string, hint?: string) => {
    diagnostics.push(diagnosticAt(source, node, code, message, hint));
  };

  for (const key of ["out", "preset"] as const) {
    if (typeof raw[key] === "string") values[key] = raw[key] as string;
  }
  for (const key of ["contacts", "orders", "events", "lists"] as const) {
    if (typeof raw[key] === "string") values[key] = [raw[key] as string];
    else if (Array.isArray(raw[key])) values[key] = raw[key] as string[];
  }
  checkCurrencies(raw, values, nodeAt, fail);
  if (raw.columns !== undefined) values.columns = raw.columns as ConfigValues["columns"];
  if (typeof raw.delimiter === "string") {
    values.delimiter = raw.delimiter === "tab" ? "\t" : (raw.delimiter as Delimiter);
  }
  if (raw.decimal === "." || raw.decimal === ",") values.decimal = raw.decimal;
  if (typeof raw.segments === "string") values.segments = [raw.segments];
  else if (Array.isArray(raw.segments)) values.segments = raw.segments as string[];
  if (typeof raw.format === "string") values.format = raw.format as OutputFormat;
  if (typeof raw.date_order === "string") values.date_order = raw.date_order as DateOrder;
  if (Array.isArray(raw.exclude_status)) values.exclude_status = raw.exclude_status as string[];
  for (const key of ["hash", "exclusive", "strict"] as const) {
    if (typeof raw[key] === "boolean") values[key] = raw[key] as boolean;
  }

  if (typeof raw.timezone === "string") {
    if (ZoneClock.isValidZone(raw.timezone)) {
      values.timezone = raw.timezone;
    } else {
      const close = suggest(raw.timezone, knownZones());
      fail(
        nodeAt("timezone"),
        "BAD_TIMEZONE",
        `"${raw.timezone}" is not a time zone${close === undefined ? "" : ` (did you mean "${close}"?)`}`,
        "use an IANA name such as Europe/Paris, America/New_York or UTC",
      );
    }
  }
  if (typeof raw.default_country === "string") {
    const country = raw.default_country.toUpperCase();
    if ((getCountries() as string[]).includes(country)) {
      values.default_country = country;
    } else {
      fail(
        nodeAt("default_country"),
        "BAD_COUNTRY",
        `"${raw.default_country}" is not a country code known for phone numbers`,
      );
    }
  }
  if (typeof raw.as_of === "string") {
    const day = parseIsoDay(raw.as_of);
    if (day === undefined)
      fail(nodeAt("as_of"), "BAD_DATE", `as_of "${raw.as_of}" is not a real date`);
    else values.as_of = day;
  }
  if (typeof raw.orders_filter === "string") {
    const node = nodeAt("orders_filter");
    const result = checkExpression(raw.orders_filter, ORDER_ROW_ENV, { expect: "boolean" });
    for (const d of result.diagnostics) {
      diagnostics.push(expressionDiagnostic(source, node, raw.orders_filter, d));
    }
    if (result.ok && result.checked !== undefined) {
      values.orders_filter = { text: raw.orders_filter, checked: result.checked };
    }
  }
  const history = raw.history as { keep?: unknown } | undefined;
  if (history !== undefined && typeof history.keep === "number")
    values.history = { keep: history.keep };
  if (raw.rfm !== undefined) {
    values.rfm = checkRfm(raw.rfm as Record<string, unknown>, source, nodeAt, diagnostics);
  }
  if (values.preset !== undefined && PRESETS[values.preset] === undefined) {
    fail(nodeAt("preset"), "BAD_PRESET", `unknown preset "${values.preset}"`);
  }
  return { values, diagnostics };
}

/** `currency:`, or `exchange_rates:` with `reporting_currency:` (codes in upper case). */
function checkCurrencies(
  raw: Record<string, unknown>,
  values: ConfigValues,
  nodeAt: (...path: string[]) => Node | undefined,
  fail: (node: Node | undefined, code: string, message: string, hint?: string) => void,
): void {
  if (typeof raw.currency === "string") values.currency = raw.currency.toUpperCase();
  if (typeof raw.reporting_currency === "string")
    values.reporting_currency = raw.reporting_currency.toUpperCase();
  if (raw.exchange_rates !== undefined && typeof raw.exchange_rates === "object") {
    const rates: Record<string, number> = {};
    for (const [code, rate] of Object.entries(raw.exchange_rates as Record<string, unknown>)) {
      if (typeof rate !== "number") continue;
      if (rate === 0) {
        fail(
          nodeAt("exchange_rates", code),
          "BAD_RATE",
          `exchange_rates.${code} is 0: a rate is the value of one ${code.toUpperCase()} in the reporting currency`,
        );
        continue;
      }
      rates[code.toUpperCase()] = rate;
    }
    values.exchange_rates = rates;
    if (values.reporting_currency === undefined) {
      fail(
        nodeAt("exchange_rates"),
        "NO_REPORTING_CURRENCY",
        "exchange_rates needs reporting_currency: the currency the rates convert into",
        "e.g.  reporting_currency: EUR",
      );
    }
  } else if (values.reporting_currency !== undefined) {
    fail(
      nodeAt("reporting_currency"),
      "NO_EXCHANGE_RATES",
      "reporting_currency needs exchange_rates: the value of one unit of each other currency",
      "e.g.  exchange_rates: { USD: 0.92, MXN: 0.05 }",
    );
  }
  if (values.currency !== undefined && values.exchange_rates !== undefined) {
    fail(
      nodeAt("currency"),
      "CURRENCY_AND_RATES",
      "currency (count only one currency) and exchange_rates (convert them all) exclude each other",
      "keep one of them",
    );
  }
}

function checkRfm(
  raw: Record<string, unknown>,
  source: SourceFile,
  nodeAt: (...path: string[]) => Node | undefined,
  diagnostics: Diagnostic[],
): RfmSettings {
  const fixed: RfmCutPoints = {};
  for (const key of ["recency", "frequency", "monetary"] as const) {
    const cuts = raw[key];
    if (!Array.isArray(cuts) || cuts.length !== 4) continue;
    const numbers = cuts as number[];
    if (numbers.some((v, i) => i > 0 && v <= numbers[i - 1])) {
      diagnostics.push(
        diagnosticAt(
          source,
          nodeAt("rfm", key),
          "RFM_CUTS_ORDER",
          `rfm.${key}: the four thresholds must be strictly ascending`,
        ),
      );
      continue;
    }
    fixed[key] = numbers;
  }
  let map = DEFAULT_RFM_MAP;
  let custom = false;
  if (raw.segments !== undefined) {
    const spec = raw.segments as Record<string, string[]>;
    const built = buildRfmMap(spec);
    for (const problem of built.problems) {
      const node =
        problem.name === undefined
          ? nodeAt("rfm", "segments")
          : (nodeAt("rfm", "segments", problem.name) ?? nodeAt("rfm", "segments"));
      diagnostics.push(diagnosticAt(source, node, "RFM_MAP", problem.message));
    }
    if (built.map !== undefined) {
      map = built.map;
      custom = true;
    }
  }
  return { fixed, map, custom };
}

/** An expression diagnostic (offsets inside the scalar) placed at its file position. */
export function expressionDiagnostic(
  source: SourceFile,
  node: Node | undefined,
  text: string,
  d: {
    code: string;
    message: string;
    hint?: string;
    span: { start: number; end: number };
    severity: "error" | "warning";
  },
): Diagnostic {
  if (node === undefined || !isScalar(node) || node.range == null) {
    return diagnosticAt(source, node, d.code, d.message, d.hint, d.severity);
  }
  const scalar = node as Scalar;
  const range = scalar.range as [number, number, number];
  const map = mapScalar(source.text, {
    style: (scalar.type ?? "PLAIN") as ScalarStyle,
    start: range[0],
    end: range[1],
    value: text,
  });
  const { start, end } = mapSpan(map, d.span);
  return diagnosticAtRange(source, start, end, d.code, d.message, d.hint, d.severity);
}

export function presetOf(name: string | undefined): Preset {
  return PRESETS[name ?? "generic"];
}
