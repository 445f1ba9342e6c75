/** `audience channels`: acquisition-channel performance and the Pareto check (docs/design.md#commands, §9). */
import { formatJson } from "../../report/json.js";
import { Command, Option } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { buildChannelReport, type ChannelSort } from "../../model/channels.js";
import { channelsJson, renderChannelsText } from "../../report/channels.js";
import type { CliContext } from "../context.js";
import { addInputOptions, loadSettings, runData } from "../options.js";
import { ordersFilterNeeds } from "../../segments/prepare-run.js";
import type { SetExitCode } from "./index.js";

const SORTS: ChannelSort[] = [
  "revenue",
  "revenue_per_buyer",
  "revenue_per_contact",
  "buyers",
  "conversion",
];

export function registerChannels(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  const command = new Command("channels")
    .description(
      "per acquisition channel: contacts, buyers, conversion, orders, revenue; and the top-20% revenue share",
    )
    .addOption(
      new Option("--sort <key>", "rank channels by this column").choices(SORTS).default("revenue"),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ audience channels --config fixtures/demo/audience.yaml
  $ audience channels --sort revenue_per_buyer --json`,
    );
  addInputOptions(command).action(async (flags: BuildFlags & { sort: ChannelSort }) => {
    const prepared = await loadSettings(flags, context);
    // The same orders as count and build: orders_filter applies here too.
    const needs = {
      aggregates: [],
      fields: [],
      ...ordersFilterNeeds(prepared.settings, prepared.asOf),
    };
    const run = await runData(prepared, needs, context);
    const report = buildChannelReport(run.data.profiles, flags.sort);
    context.stdout.write(
      run.settings.json
        ? formatJson(channelsJson(report, run.asOf))
        : renderChannelsText(report, run.asOf, flags.sort, run.theme),
    );
    setExitCode(0);
  });
  program.addCommand(command);
}
