/** `audience channels`: acquisition-channel performance and the Pareto check (docs/design.md#commands, §9). */
import { formatJson } from "../../report/json.js";
import { Option } from "commander";
import { UsageError } from "../../errors.js";
import type { BuildFlags } from "../../config/settings.js";
import { buildChannelReport, type ChannelSort } from "../../model/channels.js";
import { channelsJson, renderChannelsText } from "../../report/channels.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings } from "../options.js";
import { ordersFilterNeeds } from "../../segments/prepare-run.js";
import { runProfiles } from "../segment-run.js";

const SORTS: ChannelSort[] = [
  "revenue",
  "revenue_per_buyer",
  "revenue_per_contact",
  "buyers",
  "conversion",
];

export interface ChannelsOptions {
  data: BuildFlags;
  sort: ChannelSort;
}

export const channelsCommand: CommandSpec<ChannelsOptions> = {
  name: "channels",
  description:
    "per acquisition channel: contacts, buyers, conversion, orders, revenue; and the top-20% revenue share",
  options: () => [
    new Option("--sort <key>", "rank channels by this column").choices(SORTS).default("revenue"),
    ...dataOptions(),
  ],
  helpAfter: `
Examples:
  $ audience channels --config fixtures/demo/audience.yaml
  $ audience channels --sort revenue_per_buyer --json`,
  parse: (values) => ({ data: dataFlagsOf(values), sort: parseSort(values.sort) }),
  async run(options, context) {
    const prepared = await loadSettings(options.data, context);
    // The same orders as count and build: orders_filter applies here too.
    const needs = {
      aggregates: [],
      fields: [],
      ...ordersFilterNeeds(prepared.settings, prepared.asOf),
    };
    const run = await runProfiles(prepared, needs, context);
    const report = buildChannelReport(run.data.profiles, options.sort);
    context.stdout.write(
      run.settings.json
        ? formatJson(channelsJson(report, run.asOf))
        : renderChannelsText(report, run.asOf, options.sort, run.theme),
    );
    return 0;
  },
};

/** Commander's `choices` refuses another key first, with its own message; this narrows the type. */
function parseSort(value: unknown): ChannelSort {
  const sort = SORTS.find((s) => s === value);
  if (sort === undefined)
    throw new UsageError(
      "BAD_OPTION",
      `--sort must be ${SORTS.join(", ")}; found "${String(value).slice(0, 40)}"`,
    );
  return sort;
}
