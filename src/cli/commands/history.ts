/**
 * `audience history`: the builds an output folder has seen, oldest first, and each segment's size
 * over time (docs/design.md#changes). Reads OUT/history.jsonl only; never the inputs.
 */
import { Option } from "commander";
import { resolveSettings, type BuildFlags } from "../../config/settings.js";
import { UsageError, UserError } from "../../errors.js";
import { droppedWarning, HISTORY_FILE, historyJson, loadHistory } from "../../io/history.js";
import { readConfig } from "../../io/read-config.js";
import { historyView, renderHistoryText } from "../../report/history.js";
import { formatJson } from "../../report/json.js";
import { colorEnabled, createTheme } from "../../report/theme.js";
import { didYouMean } from "../../suggest.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf } from "../options.js";

export interface HistoryOptions {
  /** `--config`, `--out`, `--only` and `--json`, as settings read them. */
  data: BuildFlags;
}

export const historyCommand: CommandSpec<HistoryOptions> = {
  name: "history",
  description: "list the builds of an output folder and each segment's size over time",
  options: () => [
    new Option("-c, --config <file>", "config file (default: ./audience.yaml when present)"),
    new Option("-o, --out <dir>", "output folder (default: config's out, else out/)"),
    new Option("--only <ids>", "only these segments (comma-separated ids)"),
    new Option("--json", "print the history as JSON on stdout"),
  ],
  helpAfter: `
Examples:
  $ audience history --out out
  $ audience history --out /srv/audiences --only repeat-lapsed,whatsapp-vip
  $ audience history --out out --json`,
  parse: (values) => ({ data: dataFlagsOf(values, ["out"]) }),
  async run({ data }, context) {
    const config = await readConfig(data.config, context.cwd);
    const settings = resolveSettings(config, data, context.cwd);
    const display = `${settings.out.display}/${HISTORY_FILE}`;
    const loaded = await loadHistory(settings.out.path, display);
    const errTheme = createTheme(colorEnabled(context.stderrIsTTY, context.env));
    if (loaded.dropped.length > 0)
      context.stderr.write(`${errTheme.warning("warning")} ${droppedWarning(display, loaded)}\n`);
    if (loaded.records.length === 0) {
      throw new UserError(
        "NO_HISTORY",
        `no builds in ${settings.out.display}: ${display} is missing or empty`,
        {
          hint: "audience build writes it, one line per complete build",
        },
      );
    }
    const known = [...new Set(loaded.records.flatMap((r) => Object.keys(r.segments)))];
    for (const id of settings.only ?? []) {
      if (!known.includes(id))
        throw new UsageError(
          "UNKNOWN_SEGMENT",
          `--only: no segment "${id}" in the history${didYouMean(id, known)}`,
          { hint: `segments: ${known.join(", ")}` },
        );
    }
    if (settings.json) {
      context.stdout.write(formatJson(historyJson(loaded.records, settings.only)));
    } else {
      const colour = colorEnabled(context.stdoutIsTTY, context.env);
      const view = historyView(settings.out.display, loaded.records, settings.only);
      context.stdout.write(renderHistoryText(view, createTheme(colour), { sparkline: colour }));
    }
    return 0;
  },
};
