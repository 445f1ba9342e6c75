import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { UsageError } from "../errors.js";
import { loadConfigText } from "./load-config.js";
import { resolveSettings } from "./settings.js";

function problems(text: string) {
  return loadConfigText("audience.yaml", text).diagnostics.map(
    (d) => `${d.location.line}:${d.location.column} ${d.code} ${d.message}`,
  );
}

describe("loadConfigText", () => {
  it("reads a full config", () => {
    const { values, diagnostics } = loadConfigText(
      "audience.yaml",
      [
        "contacts: data/customers.csv",
        "orders: data/orders.csv.gz",
        "preset: shopify",
        'columns: { orders: { channel: "Source", phone: ["Phone", "Billing Phone"] } }',
        "segments: [segments/, extra.yaml]",
        "format: klaviyo",
        "timezone: Europe/Paris",
        "default_country: fr",
        "date_order: dmy",
        "delimiter: tab",
        "decimal: ','",
        'orders_filter: quantity > 0 and not starts_with(order_id, "C")',
        "exclude_status: [cancelled, Voided]",
        "rfm: { bins: 5, recency: [30, 90, 180, 365] }",
        "as_of: 2026-06-30",
        "exclusive: true",
      ].join("\n"),
    );
    expect(diagnostics).toEqual([]);
    expect(values).toMatchObject({
      contacts: ["data/customers.csv"],
      orders: ["data/orders.csv.gz"],
      preset: "shopify",
      columns: { orders: { channel: "Source", phone: ["Phone", "Billing Phone"] } },
      segments: ["segments/", "extra.yaml"],
      format: "klaviyo",
      timezone: "Europe/Paris",
      default_country: "FR",
      date_order: "dmy",
      delimiter: "\t",
      decimal: ",",
      exclude_status: ["cancelled", "Voided"],
      as_of: parseIsoDay("2026-06-30"),
      exclusive: true,
    });
    expect(values.rfm?.fixed).toEqual({ recency: [30, 90, 180, 365] });
    expect(values.orders_filter?.text).toBe('quantity > 0 and not starts_with(order_id, "C")');
  });

  it("reports unknown keys with a suggestion, all at once", () => {
    expect(problems("ordres: o.csv\ntimezon: UTC\ncolumns: { order: { x: y } }\n")).toEqual([
      '1:1 UNKNOWN_KEY unknown key "ordres" (did you mean "orders"?)',
      '2:1 UNKNOWN_KEY unknown key "timezon" (did you mean "timezone"?)',
      '3:12 UNKNOWN_KEY unknown key "columns.order" (did you mean "orders"?)',
    ]);
  });

  it("checks values a schema cannot", () => {
    expect(problems("timezone: Europe/Pari\ndefault_country: ZZ\nas_of: 2026-02-30\n")).toEqual([
      '1:11 BAD_TIMEZONE "Europe/Pari" is not a time zone (did you mean "Europe/Paris"?)',
      '2:18 BAD_COUNTRY "ZZ" is not a country code known for phone numbers',
      '3:8 BAD_DATE as_of "2026-02-30" is not a real date',
    ]);
    expect(problems("format: klavio\n")).toEqual([
      '1:9 SCHEMA_ENUM "format" must be one of generic, klaviyo, mailchimp, brevo, meta, google-ads, found "klavio" (did you mean "klaviyo"?)',
    ]);
  });

  it("places orders_filter errors inside the expression", () => {
    const [d] = loadConfigText(
      "audience.yaml",
      "orders: o.csv\norders_filter: quantiy > 0\n",
    ).diagnostics;
    expect([d.location.line, d.location.column, d.location.endColumn, d.code]).toEqual([
      2,
      16,
      23,
      "UNKNOWN_FIELD",
    ]);
    expect(d.message).toContain('did you mean "quantity"');
    const [e] = loadConfigText("audience.yaml", "orders_filter: orders() > 1\n").diagnostics;
    expect(e.code).toBe("FUNCTION_NOT_ALLOWED");
  });

  it("checks RFM thresholds and a custom map", () => {
    expect(problems("rfm: { frequency: [1, 3, 2, 5] }\n")).toEqual([
      "1:19 RFM_CUTS_ORDER rfm.frequency: the four thresholds must be strictly ascending",
    ]);
    expect(problems("rfm: { monetary: [1, 2, 3] }\n")).toEqual([
      '1:18 SCHEMA_RANGE "rfm.monetary" needs at least 4 item(s)',
    ]);
    const gaps = problems('rfm:\n  segments:\n    best: ["5[4-5]"]\n    rest: ["[1-4]*"]\n');
    expect(gaps).toEqual(["3:5 RFM_MAP the RFM map leaves 3 cells unnamed (R then F): 53, 52, 51"]);
    const overlap = problems(
      'rfm:\n  segments:\n    best: ["5*"]\n    also: ["55"]\n    rest: ["[1-4]*"]\n',
    );
    expect(overlap).toEqual(["4:11 RFM_MAP RFM cell R=5 F=5 is named twice: best and also"]);
    const ok = loadConfigText(
      "audience.yaml",
      'rfm:\n  segments:\n    best: ["5*"]\n    rest: ["[1-4]?"]\n',
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.values.rfm?.map[4]).toEqual(["best", "best", "best", "best", "best"]);
    expect(ok.values.rfm?.custom).toBe(true);
  });

  it("reports YAML syntax errors at their position", () => {
    const [d] = loadConfigText("audience.yaml", "orders: [a.csv\n").diagnostics;
    expect(d.code).toBe("YAML_SYNTAX");
    expect(d.location.line).toBe(2);
  });

  it("refuses aliases", () => {
    expect(problems("orders: &o a.csv\ncontacts: *o\n")).toEqual([
      '2:11 YAML_ALIAS "contacts": YAML aliases are not supported here; write the value out',
    ]);
  });
});

describe("resolveSettings", () => {
  const config = (text: string) => ({
    values: loadConfigText("audience.yaml", text).values,
    dir: "/shop/config",
    file: { path: "/shop/config/audience.yaml", display: "config/audience.yaml" },
  });

  it("resolves config paths against the config folder and flag paths against the working folder", () => {
    const s = resolveSettings(
      config("orders: ../data/orders.csv\nsegments: segs/\nout: out/\n"),
      { contacts: "c.csv" },
      "/shop",
    );
    expect(s.inputs.orders).toEqual([
      { path: "/shop/data/orders.csv", display: "data/orders.csv" },
    ]);
    expect(s.inputs.contacts).toEqual([{ path: "/shop/c.csv", display: "c.csv" }]);
    expect(s.segments).toEqual([{ path: "/shop/config/segs", display: "config/segs" }]);
    expect(s.out.display).toBe("config/out");
  });

  it("lets flags override the config, which overrides defaults", () => {
    const s = resolveSettings(
      config("orders: o.csv\ntimezone: Europe/Paris\nformat: brevo\nas_of: 2026-01-01\n"),
      {},
      "/shop",
    );
    expect([s.timezone, s.format, s.formatFlag, s.asOf]).toEqual([
      "Europe/Paris",
      "brevo",
      undefined,
      parseIsoDay("2026-01-01"),
    ]);
    const f = resolveSettings(
      config("orders: o.csv\ntimezone: Europe/Paris\nformat: brevo\nas_of: 2026-01-01\n"),
      { timezone: "UTC", format: "meta", asOf: "2026-06-30", orders: "x.csv" },
      "/shop",
    );
    expect([f.timezone, f.formatFlag, f.asOf, f.inputs.orders?.[0]?.path]).toEqual([
      "UTC",
      "meta",
      parseIsoDay("2026-06-30"),
      "/shop/x.csv",
    ]);
    const d = resolveSettings(undefined, {}, "/shop");
    expect([
      d.timezone,
      d.format,
      d.decimal,
      d.excludeStatus,
      d.out.display,
      d.segments[0].display,
    ]).toEqual(["UTC", "generic", "auto", undefined, "out", "segments"]);
  });

  it("turns bad flag values into usage errors", () => {
    expect(() => resolveSettings(undefined, { asOf: "30/06/2026" }, "/")).toThrow(UsageError);
    expect(() => resolveSettings(undefined, { asOf: "2026-02-30" }, "/")).toThrow(
      '--as-of "2026-02-30" is not a date',
    );
    expect(() => resolveSettings(undefined, { timezone: "Mars/Base" }, "/")).toThrow(
      "is not a time zone",
    );
    expect(() => resolveSettings(undefined, { format: "klavio" }, "/")).toThrow(
      '(did you mean "klaviyo"?)',
    );
    expect(() => resolveSettings(undefined, { only: " , " }, "/")).toThrow(
      "--only needs at least one segment id",
    );
  });

  it("reads the engine (docs/design.md#engines): --engine over engine: over memory, duckdb settings resolved", () => {
    expect(resolveSettings(undefined, {}, "/shop").engine).toBe("memory");
    const s = resolveSettings(
      config(
        "orders: o.csv\nengine: duckdb\nduckdb:\n  memory_limit: 4GB\n  threads: 2\n  temp_directory: spill\n",
      ),
      {},
      "/shop",
    );
    expect([s.engine, s.duckdb]).toEqual([
      "duckdb",
      { memoryLimit: "4GB", threads: 2, tempDirectory: "/shop/config/spill" },
    ]);
    expect(resolveSettings(config("engine: duckdb\n"), { engine: "memory" }, "/").engine).toBe(
      "memory",
    );
    let error: unknown;
    try {
      resolveSettings(undefined, { engine: "duckbd" }, "/");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe("BAD_ENGINE");
    expect((error as UsageError).message).toBe(
      '--engine "duckbd" is not an engine (did you mean "duckdb"?)',
    );
    expect(problems("engine: postgress\nduckdb:\n  memory_limit: lots\n  threads: 0\n")).toEqual([
      '3:17 SCHEMA_PATTERN "duckdb.memory_limit" must be a size such as 4GB, 512MB or 80%, found "lots"',
      '4:12 SCHEMA_RANGE "duckdb.threads" must be at least 1, found 0',
      '1:9 BAD_ENGINE engine: "postgress" is not an engine (did you mean "postgres"?)',
    ]);
  });

  it("puts the cache of loaded exports beside the config, or at cache:, and nowhere with --no-cache or no config", () => {
    expect(resolveSettings(config("orders: o.csv\n"), {}, "/shop").cache).toBe(
      "/shop/config/.audience-cache",
    );
    expect(resolveSettings(config("cache: ../tmp/c\n"), {}, "/shop").cache).toBe("/shop/tmp/c");
    expect(resolveSettings(config("cache: ../tmp/c\n"), { cache: false }, "/shop").cache).toBe(
      undefined,
    );
    expect(resolveSettings(config("orders: o.csv\n"), { cache: true }, "/shop").cache).toBe(
      "/shop/config/.audience-cache",
    );
    expect(resolveSettings(undefined, { orders: "o.csv" }, "/shop").cache).toBe(undefined);
    expect(problems("cache: [a, b]\n")).toEqual([
      '1:8 SCHEMA_TYPE "cache" must be a string, found a list',
    ]);
  });
});

describe("a normalised export in audience.yaml", () => {
  it("reads key_map:, order_lines: (a file, a list or a pattern), their columns and include_shipping", () => {
    const text = [
      "key_map: customers.csv",
      'order_lines: [items-1.csv, "items-*.csv"]',
      "orders: orders.csv",
      "columns: { key_map: { from: checkout, to: member }, order_lines: { price: unit_price } }",
      "include_shipping: false",
    ].join("\n");
    const loaded = loadConfigText("audience.yaml", text);
    expect(loaded.diagnostics).toEqual([]);
    const settings = resolveSettings(
      {
        values: loaded.values,
        dir: "/shop",
        file: { path: "/shop/audience.yaml", display: "audience.yaml" },
      },
      {},
      "/shop",
    );
    expect(settings.inputs.key_map?.map((f) => f.path)).toEqual(["/shop/customers.csv"]);
    expect(settings.inputs.order_lines?.map((f) => f.display)).toEqual([
      "items-1.csv",
      "items-*.csv",
    ]);
    expect(settings.columns).toEqual({
      key_map: { from: ["checkout"], to: ["member"] },
      order_lines: { price: ["unit_price"] },
    });
    expect(settings.includeShipping).toBe(false);
    expect(resolveSettings(undefined, {}, "/shop").includeShipping).toBe(true);
  });

  it("misspelt keys get a suggestion", () => {
    expect(problems("order_line: items.csv\ncolumns: { keymap: { from: a } }\n")).toEqual([
      '1:1 UNKNOWN_KEY unknown key "order_line" (did you mean "order_lines"?)',
      '2:12 UNKNOWN_KEY unknown key "columns.keymap" (did you mean "key_map"?)',
    ]);
  });
});

describe("plain expressions in audience.yaml", () => {
  it("lets audience.yaml's orders_filter use `: ` in a string without quotes", () => {
    const loaded = loadConfigText("audience.yaml", 'orders_filter: status != "on hold: fraud"\n');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.values.orders_filter?.text).toBe('status != "on hold: fraud"');
  });
});
