/** `audience demo`: writes a realistic synthetic shop to try audience on (docs/design.md#commands). */
import { Command } from "commander";
import { formatDay, parseIsoDay } from "../../calendar.js";
import { UsageError } from "../../errors.js";
import { writeDemoShop } from "../../io/write-demo.js";
import { displayPath } from "../../config/settings.js";
import { formatInteger } from "../../report/table.js";
import { resolve } from "node:path";
import type { CliContext } from "../context.js";
import type { SetExitCode } from "./index.js";

interface DemoFlags {
  out: string;
  contacts: string;
  seed: string;
  asOf: string;
  segments?: string;
  quiet?: boolean;
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

export function registerDemo(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  program
    .command("demo")
    .description(
      "write a realistic synthetic shop (contacts, orders, events, lists, audience.yaml) to try audience on",
    )
    .requiredOption("-o, --out <dir>", "folder to write the shop into")
    .option("--contacts <n>", "number of contacts", "2000")
    .option("--seed <n>", "random seed: the same seed gives the same files", "42")
    .option(
      "--as-of <date>",
      "the shop's 'today': two years of history end on this date",
      "2026-06-30",
    )
    .option(
      "--segments <path>",
      "segments path written as given into audience.yaml, relative to the --out folder (default: a copy of the bundled library in <dir>/segments/)",
    )
    .option("-q, --quiet", "print nothing")
    .addHelpText(
      "after",
      `
Examples:
  $ audience demo --out shop
  $ audience demo --out big-shop --contacts 1000000 --seed 1`,
    )
    .action(async (flags: DemoFlags) => {
      const contacts = positiveInteger(flags.contacts, "--contacts", 50_000_000);
      const seed = positiveInteger(flags.seed, "--seed", 4_294_967_295);
      const asOf = parseIsoDay(flags.asOf.trim());
      if (asOf === undefined)
        throw new UsageError(
          "BAD_AS_OF",
          `--as-of "${flags.asOf}" is not a date: expected YYYY-MM-DD`,
        );
      const dir = resolve(context.cwd, flags.out);
      const result = await writeDemoShop(dir, { contacts, seed, asOf }, flags.segments);
      if (!flags.quiet) {
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
      setExitCode(0);
    });
}
