/**
 * argv → options for every command, through the same commander declaration the CLI registers,
 * without running anything: no file is read, no clock, no stream.
 */
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../../calendar.js";
import { UsageError } from "../../errors.js";
import { parseCommandLine, type CommandSpec } from "../command-spec.js";
import { buildCommand } from "./build.js";
import { channelsCommand } from "./channels.js";
import { countCommand } from "./count.js";
import { demoCommand } from "./demo.js";
import { explainCommand } from "./explain.js";
import { historyCommand } from "./history.js";
import { planCommand } from "./plan.js";
import { parseHoldout, parseHorizon, predictCommand } from "./predict.js";
import { reportCommand } from "./report.js";
import { rfmCommand } from "./rfm.js";
import { sqlCommand } from "./sql.js";
import { testCommand } from "./test.js";
import { validateCommand } from "./validate.js";

const day = (text: string) => parseIsoDay(text);

interface Case {
  argv: string[];
  options: unknown;
}

function table<O>(spec: CommandSpec<O>, cases: Case[]): void {
  describe(spec.name, () => {
    it.each(cases)("$argv", ({ argv, options }) => {
      expect(parseCommandLine(spec, argv)).toEqual(options);
    });
  });
}

describe("argv → options", () => {
  table(buildCommand, [
    { argv: [], options: { data: {} } },
    {
      argv: ["-c", "shop/audience.yaml", "-o", "/srv/a", "--format", "klaviyo", "--exclusive"],
      options: {
        data: { config: "shop/audience.yaml", out: "/srv/a", format: "klaviyo", exclusive: true },
      },
    },
    {
      argv: ["--format", "meta", "--hash", "--force", "--only", "vip,win-back", "-q", "--json"],
      options: {
        data: {
          format: "meta",
          hash: true,
          force: true,
          only: "vip,win-back",
          quiet: true,
          json: true,
        },
      },
    },
    {
      // Files add up, across repeated flags and several values after one flag.
      argv: [
        "--orders",
        "a.csv",
        "b.csv",
        "--orders",
        "c*.csv",
        "--segments",
        "s1",
        "--segments",
        "s2",
      ],
      options: { data: { orders: ["a.csv", "b.csv", "c*.csv"], segments: ["s1", "s2"] } },
    },
    {
      argv: ["--contacts", "c.csv", "--events", "e.csv", "--lists", "l.csv", "--preset", "shopify"],
      options: {
        data: { contacts: ["c.csv"], events: ["e.csv"], lists: ["l.csv"], preset: "shopify" },
      },
    },
    {
      // Values are checked by the settings, after the config file: carried as given.
      argv: ["--as-of", "2026-06-30", "--timezone", "Europe/Paris", "--engine", "duckdb"],
      options: { data: { asOf: "2026-06-30", timezone: "Europe/Paris", engine: "duckdb" } },
    },
    {
      argv: ["--strict", "--rejects", "rejects.csv", "--database", "env:SHOP_DB"],
      options: { data: { strict: true, rejects: "rejects.csv", database: "env:SHOP_DB" } },
    },
  ]);

  table(countCommand, [
    { argv: [], options: { data: {}, explain: false } },
    {
      argv: ["--only", "repeat-lapsed", "--explain", "--exclusive", "--json"],
      options: { data: { only: "repeat-lapsed", exclusive: true, json: true }, explain: true },
    },
  ]);

  table(rfmCommand, [
    { argv: [], options: { data: {} } },
    {
      argv: ["--orders", "orders.csv", "--as-of", "1998-06-30", "--json"],
      options: { data: { orders: ["orders.csv"], asOf: "1998-06-30", json: true } },
    },
  ]);

  table(channelsCommand, [
    { argv: [], options: { data: {}, sort: "revenue" } },
    {
      argv: ["--sort", "revenue_per_buyer", "--json"],
      options: { data: { json: true }, sort: "revenue_per_buyer" },
    },
  ]);

  table(reportCommand, [
    { argv: ["--html", "r.html"], options: { data: {}, html: "r.html" } },
    {
      argv: ["--html", "r.html", "-o", "out", "--exclusive", "--only", "vip"],
      options: { data: { out: "out", exclusive: true, only: "vip" }, html: "r.html" },
    },
  ]);

  table(validateCommand, [
    { argv: [], options: { paths: [], format: "text", strict: false } },
    {
      argv: ["segments/", "more.yaml", "--format", "github", "--strict", "--config", "a.yaml"],
      options: {
        paths: ["segments/", "more.yaml"],
        format: "github",
        strict: true,
        config: "a.yaml",
      },
    },
  ]);

  table(demoCommand, [
    {
      argv: ["--out", "shop"],
      options: { out: "shop", contacts: 2000, seed: 42, asOf: day("2026-06-30"), quiet: false },
    },
    {
      argv: ["-o", "big", "--contacts", " 1000000 ", "--seed", "1", "--as-of", "2025-01-31 "],
      options: { out: "big", contacts: 1_000_000, seed: 1, asOf: day("2025-01-31"), quiet: false },
    },
    {
      argv: ["-o", "s", "--segments", "../segments", "-q"],
      options: {
        out: "s",
        contacts: 2000,
        seed: 42,
        asOf: day("2026-06-30"),
        segments: "../segments",
        quiet: true,
      },
    },
  ]);

  table(predictCommand, [
    { argv: [], options: { data: {}, horizon: "1y" } },
    {
      argv: ["--horizon", "30d", "--holdout", "1997-09-30", "--orders", "o.csv"],
      options: { data: { orders: ["o.csv"] }, horizon: "30d", holdout: "1997-09-30" },
    },
  ]);

  table(explainCommand, [
    { argv: ["C100002"], options: { data: {}, key: "C100002" } },
    {
      // --only never narrows explain: every segment's membership is shown.
      argv: ["C100002", "--segment", " vip, ,win-back ", "--exclusive", "--only", "vip"],
      options: { data: { exclusive: true }, key: "C100002", ids: ["vip", "win-back"] },
    },
    { argv: ["--segment", "repeat-lapsed"], options: { data: {}, ids: ["repeat-lapsed"] } },
    // An empty list is still a --segment: the funnels of every segment.
    { argv: ["--segment", " , "], options: { data: {}, ids: [] } },
  ]);

  table(testCommand, [
    { argv: [], options: { paths: [], format: "text" } },
    {
      argv: ["segments/lifecycle.test.yaml", "--format", "json"],
      options: { paths: ["segments/lifecycle.test.yaml"], format: "json" },
    },
  ]);

  table(planCommand, [
    {
      argv: ["--base", "origin/main:segments/"],
      options: { data: { json: false }, base: "origin/main:segments/", format: "text" },
    },
    {
      // The plan's --format is its output: it never reaches the settings as an output profile.
      argv: ["--base", "old", "--segments", "new.yaml", "--format", "markdown", "--exclusive"],
      options: {
        data: { segments: ["new.yaml"], exclusive: true, json: false },
        base: "old",
        format: "markdown",
      },
    },
    {
      argv: ["--base", "old", "--json"],
      options: { data: { json: true }, base: "old", format: "json" },
    },
    {
      argv: ["--base", "old", "--format", "json"],
      options: { data: { json: true }, base: "old", format: "json" },
    },
  ]);

  table(historyCommand, [
    { argv: [], options: { data: {} } },
    {
      argv: ["-c", "a.yaml", "-o", "out", "--only", "vip", "--json"],
      options: { data: { config: "a.yaml", out: "out", only: "vip", json: true } },
    },
  ]);

  table(sqlCommand, [
    { argv: ["--dialect", "postgres"], options: { data: {}, dialect: "postgres", hash: false } },
    {
      argv: ["--dialect", "bigquery", "--hash"],
      options: { data: {}, dialect: "bigquery", hash: true },
    },
    {
      argv: ["--dialect", "bigquery", "-c", "shop/audience.yaml", "--only", "vip,win-back"],
      options: {
        data: { config: "shop/audience.yaml", only: "vip,win-back" },
        dialect: "bigquery",
        hash: false,
      },
    },
    {
      argv: ["--dialect", "snowflake", "--exclusive", "--as-of", "2026-06-30", "--strict"],
      options: {
        data: { exclusive: true, asOf: "2026-06-30", strict: true },
        dialect: "snowflake",
        hash: false,
      },
    },
    {
      argv: ["--segments", "a.yaml", "b/", "--timezone", "Europe/Paris", "--dialect", "duckdb"],
      options: {
        data: { segments: ["a.yaml", "b/"], timezone: "Europe/Paris" },
        dialect: "duckdb",
        hash: false,
      },
    },
  ]);
});

describe("usage errors (exit 2) from the values", () => {
  const cases: { spec: CommandSpec<unknown>; argv: string[]; code: string; message: string }[] = [
    {
      spec: validateCommand,
      argv: ["--format", "xml"],
      code: "BAD_OPTION",
      message: '--format must be text, json or github; found "xml"',
    },
    {
      spec: testCommand,
      argv: ["--format", "markdown"],
      code: "BAD_OPTION",
      message: '--format must be text, json or github; found "markdown"',
    },
    {
      spec: planCommand,
      argv: ["--base", "old", "--format", "github"],
      code: "BAD_OPTION",
      message: '--format must be text, markdown, json; found "github"',
    },
    {
      spec: demoCommand,
      argv: ["--out", "s", "--contacts", "0"],
      code: "BAD_OPTION",
      message: '--contacts must be a whole number from 1 to 50,000,000, found "0"',
    },
    {
      spec: demoCommand,
      argv: ["--out", "s", "--contacts", "1e3"],
      code: "BAD_OPTION",
      message: '--contacts must be a whole number from 1 to 50,000,000, found "1e3"',
    },
    {
      spec: demoCommand,
      argv: ["--out", "s", "--seed", "4294967296"],
      code: "BAD_OPTION",
      message: '--seed must be a whole number from 1 to 4,294,967,295, found "4294967296"',
    },
    {
      spec: demoCommand,
      argv: ["--out", "s", "--as-of", "2026-02-30"],
      code: "BAD_AS_OF",
      message: '--as-of "2026-02-30" is not a date: expected YYYY-MM-DD',
    },
    {
      spec: sqlCommand,
      argv: ["--dialect", "postgresql"],
      code: "BAD_OPTION",
      message:
        '--dialect must be duckdb, postgres, bigquery, snowflake; found "postgresql" (did you mean "postgres"?)',
    },
    {
      spec: sqlCommand,
      argv: ["--dialect", "mysql"],
      code: "BAD_OPTION",
      message: '--dialect must be duckdb, postgres, bigquery, snowflake; found "mysql"',
    },
    {
      spec: explainCommand,
      argv: [],
      code: "MISSING_KEY",
      message: "explain needs a customer KEY, or --segment ID,… for the funnel",
    },
  ];
  it.each(cases)("$spec.name $argv → $code", ({ spec, argv, code, message }) => {
    let thrown: unknown;
    try {
      parseCommandLine(spec, argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(thrown).toMatchObject({ code, message, exitCode: 2 });
  });
});

describe("predict's values, parsed once the config is read (a broken config is reported first)", () => {
  it.each([
    ["30d", { count: 30, unit: "d" }],
    [" 12w ", { count: 12, unit: "w" }],
    ["6m", { count: 6, unit: "m" }],
    ["1y", { count: 1, unit: "y" }],
  ])("--horizon %j", (text, duration) => {
    expect(parseHorizon(text)).toEqual(duration);
  });

  it.each([
    ["0d", "BAD_HORIZON", "--horizon: a horizon of 0 predicts nothing"],
    ["3 months", "BAD_HORIZON", '--horizon: "3 months" is not a duration'],
    ["-1d", "BAD_HORIZON", '--horizon: "-1d" is not a duration'],
  ])("--horizon %j → %s", (text, code, message) => {
    expect(() => parseHorizon(text)).toThrow(
      expect.objectContaining({ code, message, exitCode: 2 }),
    );
  });

  it("--holdout is a calendar day", () => {
    expect(parseHoldout("1997-09-30")).toBe(day("1997-09-30"));
    expect(() => parseHoldout("30/09/1997")).toThrow(
      expect.objectContaining({
        code: "BAD_HOLDOUT",
        message: '--holdout: "30/09/1997" is not a date (YYYY-MM-DD)',
        exitCode: 2,
      }),
    );
  });
});

describe("usage errors commander reports (main maps them to exit 2)", () => {
  const cases: { spec: CommandSpec<unknown>; argv: string[]; code: string }[] = [
    { spec: countCommand, argv: ["--no-such-flag"], code: "commander.unknownOption" },
    { spec: channelsCommand, argv: ["--sort", "nope"], code: "commander.invalidArgument" },
    { spec: reportCommand, argv: [], code: "commander.missingMandatoryOptionValue" },
    { spec: planCommand, argv: [], code: "commander.missingMandatoryOptionValue" },
    { spec: sqlCommand, argv: [], code: "commander.missingMandatoryOptionValue" },
    {
      spec: sqlCommand,
      argv: ["--dialect", "duckdb", "--orders", "o.csv"],
      code: "commander.unknownOption",
    },
    { spec: demoCommand, argv: [], code: "commander.missingMandatoryOptionValue" },
    { spec: buildCommand, argv: ["--out"], code: "commander.optionMissingArgument" },
    { spec: rfmCommand, argv: ["extra"], code: "commander.excessArguments" },
  ];
  it.each(cases)("$spec.name $argv → $code", ({ spec, argv, code }) => {
    let thrown: unknown;
    try {
      parseCommandLine(spec, argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CommanderError);
    expect(thrown).toMatchObject({ code });
  });
});
