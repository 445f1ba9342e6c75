/** `audience demo`: writes a realistic synthetic shop to try audience on (docs/design.md#commands). */
import { Option } from "commander";
import { formatDay, parseIsoDay, type EpochDay } from "../../calendar.js";
import { UsageError } from "../../errors.js";
import { writeDemoShop } from "../../io/write-demo.js";
import { displayPath } from "../../config/settings.js";
import { formatInteger } from "../../report/table.js";
import { resolve } from "node:path";
import type { CommandSpec } from "../command-spec.js";

export interface DemoOptions {
  /** `--out`, as given. */
  out: string;
  contacts: number;
  seed: number;
  asOf: EpochDay;
  /** `--segments`: written as given into audience.yaml. */
  segments?: string;
  quiet: boolean;
}

function positiveInteger(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(
      "BAD_OPTION",
      `${flag} must be a whole number from 1 to ${formatInteger(max)}, found "${value.slice(0, 30)}"`,
    );
  }
  return n;
}

export const demoCommand: CommandSpec<DemoOptions> = {
  name: "demo",
  description:
    "write a realistic synthetic shop (contacts, orders, events, lists, audience.yaml) to try audience on",
  options: () => [
    new Option("-o, --out <dir>", "folder to write the shop into").makeOptionMandatory(),
    new Option("--contacts <n>", "number of contacts").default("2000"),
    new Option("--seed <n>", "random seed: the same seed gives the same files").default("42"),
    new Option(
      "--as-of <date>",
      "the shop's 'today': two years of history end on this date",
    ).default("2026-06-30"),
    new Option(
      "--segments <path>",
      "segments path written as given into audience.yaml, relative to the --out folder (default: a copy of the bundled library in <dir>/segments/)",
    ),
    new Option("-q, --quiet", "print nothing"),
  ],
  helpAfter: `
Examples:
  $ audience demo --out shop
  $ audience demo --out big-shop --contacts 1000000 --seed 1`,
  parse(values) {
    const contacts = positiveInteger(String(values.contacts), "--contacts", 50_000_000);
    const seed = positiveInteger(String(values.seed), "--seed", 4_294_967_295);
    const given = String(values.asOf);
    const asOf = parseIsoDay(given.trim());
    if (asOf === undefined)
      throw new UsageError("BAD_AS_OF", `--as-of "${given}" is not a date: expected YYYY-MM-DD`);
    return {
      out: String(values.out),
      contacts,
      seed,
      asOf,
      ...(values.segments === undefined ? {} : { segments: String(values.segments) }),
      quiet: values.quiet === true,
    };
  },
  async run(options, context) {
    const { contacts, seed, asOf } = options;
    const dir = resolve(context.cwd, options.out);
    const result = await writeDemoShop(dir, { contacts, seed, asOf }, options.segments);
    if (!options.quiet) {
      const shown = displayPath(dir, context.cwd);
      context.stdout.write(
        `Demo shop as of ${formatDay(asOf)} written to ${shown}/\n` +
          `  contacts.csv  ${formatInteger(result.rows.contacts)} rows\n` +
          `  orders.csv    ${formatInteger(result.rows.orders)} rows (line items)\n` +
          `  events.csv    ${formatInteger(result.rows.events)} rows\n` +
          `  lists.csv     ${formatInteger(result.rows.lists)} rows\n` +
          `  audience.yaml (segments: ${result.segments})\n\n` +
          `Next: audience build --config ${shown}/audience.yaml\n`,
      );
    }
    return 0;
  },
};
