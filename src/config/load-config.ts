/**
 * `audience.yaml` → typed settings, validated in phases (STYLE habit 4): YAML syntax, then the
 * schema (unknown keys with "did you mean"), then values that need more than a schema (time zone,
 * country, as_of, orders_filter, RFM thresholds and map). Every problem is collected with its
 * position so the user sees them all at once.
 */
import { isMap, isNode, isScalar, type Node } from "yaml";
import { getCountries } from "libphonenumber-js";
import { parseIsoDay, type EpochDay } from "../calendar.js";
import { checkExpression, type CheckedExpr } from "../dsl/index.js";
import { ORDER_ROW_ENV } from "../dsl/env.js";
import type { Diagnostic } from "../errors.js";
import type { Delimiter } from "../io/parse-csv.js";
import { ZoneClock } from "../model/dates.js";
import { buildRfmMap, DEFAULT_RFM_MAP } from "../rfm/segment-map.js";
import type { RfmCutPoints, RfmSettings } from "../rfm/settings.js";
import { didYouMean, suggest } from "../suggest.js";
import { expressionSpans } from "../yaml/expression-spans.js";
import type { ErrorCode } from "../codes.js";
import type { SourceFile } from "../source-file.js";
import { diagnosticAt, locationOf, parseYamlSource } from "../yaml/positions.js";
import { validateNode, type Infer } from "../yaml/schema.js";
import { syntaxDiagnostics } from "../yaml/syntax-errors.js";
import { CONFIG_SCHEMA } from "./config-schema.js";
import { PRESETS, type InputKind, type Preset } from "../model/presets.js";
import { parseTableName, tableInputProblems, type TableSource } from "./table-input.js";

/** `audience.yaml` as written: the schema's shape. */
type ConfigFile = Infer<typeof CONFIG_SCHEMA>;

/**
 * The config file's values, paths still as written: the schema's shape, with what the loader reads
 * further (a single path as a list, the checked filter, the as_of day, the RFM settings).
 */
export type ConfigValues = Omit<
  ConfigFile,
  | "contacts"
  | "orders"
  | "events"
  | "lists"
  | "key_map"
  | "order_lines"
  | "segments"
  | "delimiter"
  | "orders_filter"
  | "rfm"
  | "as_of"
  | "engine"
> & {
  engine?: EngineName;
  /** Files or name patterns (`orders_export*.csv`), as written. */
  contacts?: string[];
  orders?: string[];
  events?: string[];
  lists?: string[];
  key_map?: string[];
  order_lines?: string[];
  segments?: string[];
  delimiter?: Delimiter;
  orders_filter?: CheckedFilter;
  rfm?: RfmSettings;
  as_of?: EpochDay;
  /** The inputs given as `{ table: NAME }` or `{ query: "SELECT …" }` (not in the lists above). */
  tables?: Partial<Record<InputKind, TableSource>>;
};

/** The engines a run can happen in (docs/design.md#engines). */
export const ENGINES = ["memory", "duckdb", "postgres"] as const;
export type EngineName = (typeof ENGINES)[number];

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
  const { source, doc } = parseYamlSource(file, text);
  const diagnostics = syntaxDiagnostics(source, doc.errors);
  if (diagnostics.length > 0) return { values: {}, diagnostics };
  if (doc.contents === null) return { values: {}, diagnostics };

  const validated = validateNode(source, doc.contents, CONFIG_SCHEMA);
  diagnostics.push(...validated.diagnostics);
  const raw: ConfigFile = validated.value ?? {};
  const values: ConfigValues = {};
  const nodeAt = (...path: string[]): Node | undefined => {
    const found = doc.getIn(path, true);
    return isNode(found) ? found : undefined;
  };
  const fail = (node: Node | undefined, code: ErrorCode, message: string, hint?: string) => {
    diagnostics.push(diagnosticAt(source, node, code, message, hint));
  };

  if (raw.out !== undefined) values.out = raw.out;
  if (raw.preset !== undefined) values.preset = raw.preset;
  const list = (given: string | string[]): string[] =>
    typeof given === "string" ? [given] : given;
  for (const key of ["contacts", "orders", "events", "lists", "key_map", "order_lines"] as const) {
    const given = raw[key];
    if (given === undefined) continue;
    if (typeof given === "string" || Array.isArray(given)) {
      values[key] = list(given);
      continue;
    }
    const problems = tableInputProblems(key, given);
    for (const p of problems)
      fail(p.key === undefined ? nodeAt(key) : nodeAt(key, p.key), p.code, p.message, p.hint);
    if (problems.length > 0) continue;
    const name = given.table === undefined ? undefined : parseTableName(given.table);
    const pair = isMap(doc.contents)
      ? doc.contents.items.find((item) => isScalar(item.key) && item.key.value === key)
      : undefined;
    values.tables = {
      ...values.tables,
      [key]: {
        ...(name === undefined ? {} : { table: name }),
        ...(given.query === undefined ? {} : { query: given.query }),
        ...(given.order_by === undefined ? {} : { orderBy: list(given.order_by) }),
        at: locationOf(source, pair).place(),
      },
    };
  }
  if (raw.database !== undefined) values.database = raw.database;
  checkCurrencies(raw, values, nodeAt, fail);
  if (raw.columns !== undefined) values.columns = raw.columns;
  if (raw.delimiter !== undefined) {
    values.delimiter = raw.delimiter === "tab" ? "\t" : raw.delimiter;
  }
  if (raw.decimal !== undefined) values.decimal = raw.decimal;
  if (raw.segments !== undefined) values.segments = list(raw.segments);
  if (raw.format !== undefined) values.format = raw.format;
  if (raw.date_order !== undefined) values.date_order = raw.date_order;
  if (raw.exclude_status !== undefined) values.exclude_status = raw.exclude_status;
  for (const key of ["hash", "exclusive", "strict", "include_shipping"] as const) {
    if (raw[key] !== undefined) values[key] = raw[key];
  }

  if (raw.timezone !== undefined) {
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
  if (raw.default_country !== undefined) {
    const country = raw.default_country.toUpperCase();
    if (phoneCountries().has(country)) {
      values.default_country = country;
    } else {
      fail(
        nodeAt("default_country"),
        "BAD_COUNTRY",
        `"${raw.default_country}" is not a country code known for phone numbers`,
      );
    }
  }
  if (raw.as_of !== undefined) {
    const day = parseIsoDay(raw.as_of);
    if (day === undefined)
      fail(nodeAt("as_of"), "BAD_DATE", `as_of "${raw.as_of}" is not a real date`);
    else values.as_of = day;
  }
  if (raw.orders_filter !== undefined) {
    const node = nodeAt("orders_filter");
    const filter = raw.orders_filter;
    const result = checkExpression(filter, ORDER_ROW_ENV, { expect: "boolean" });
    for (const d of result.diagnostics) {
      diagnostics.push(
        isScalar(node)
          ? expressionSpans(source, node, filter).diagnostic(d)
          : diagnosticAt(source, node, d.code, d.message, d.hint, d.severity),
      );
    }
    if (result.ok && result.checked !== undefined) {
      values.orders_filter = { text: filter, checked: result.checked };
    }
  }
  if (raw.engine !== undefined) {
    if ((ENGINES as readonly string[]).includes(raw.engine))
      values.engine = raw.engine as EngineName;
    else
      fail(
        nodeAt("engine"),
        "BAD_ENGINE",
        `engine: "${raw.engine.slice(0, 40)}" is not an engine${didYouMean(raw.engine, ENGINES)}`,
        `engines: ${ENGINES.join(", ")}`,
      );
  }
  if (raw.duckdb !== undefined) values.duckdb = raw.duckdb;
  if (raw.cache !== undefined) values.cache = raw.cache;
  if (raw.history?.keep !== undefined) values.history = { keep: raw.history.keep };
  if (raw.rfm !== undefined) {
    values.rfm = checkRfm(raw.rfm, source, nodeAt, diagnostics);
  }
  if (values.preset !== undefined && PRESETS[values.preset] === undefined) {
    fail(nodeAt("preset"), "BAD_PRESET", `unknown preset "${values.preset}"`);
  }
  return { values, diagnostics };
}

let countries: Set<string> | undefined;
function phoneCountries(): Set<string> {
  countries ??= new Set(getCountries());
  return countries;
}

/** `currency:`, or `exchange_rates:` with `reporting_currency:` (codes in upper case). */
function checkCurrencies(
  raw: ConfigFile,
  values: ConfigValues,
  nodeAt: (...path: string[]) => Node | undefined,
  fail: (node: Node | undefined, code: ErrorCode, message: string, hint?: string) => void,
): void {
  if (raw.currency !== undefined) values.currency = raw.currency.toUpperCase();
  if (raw.reporting_currency !== undefined)
    values.reporting_currency = raw.reporting_currency.toUpperCase();
  if (raw.exchange_rates !== undefined) {
    const rates: Record<string, number> = {};
    for (const [code, rate] of Object.entries(raw.exchange_rates)) {
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
  raw: NonNullable<ConfigFile["rfm"]>,
  source: SourceFile,
  nodeAt: (...path: string[]) => Node | undefined,
  diagnostics: Diagnostic[],
): RfmSettings {
  const fixed: RfmCutPoints = {};
  for (const key of ["recency", "frequency", "monetary"] as const) {
    const numbers = raw[key];
    if (numbers === undefined || numbers.length !== 4) continue;
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
    const built = buildRfmMap(raw.segments);
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

export function presetOf(name: string | undefined): Preset {
  return PRESETS[name ?? "generic"];
}
