/**
 * What the readers need of the settings and the plan: the ingest options of the model, the same
 * for files, database tables and rows held in memory.
 */
import type { EpochDay } from "../calendar.js";
import { needsPredictions } from "../dsl/env.js";
import type { DataNeeds } from "../model/build-profiles.js";
import type { IngestOptions } from "../model/ingest-context.js";
import type { Settings } from "./settings.js";

/** What the readers need of the settings and the plan (also for rows held in memory). */
export function ingestOptions(settings: Settings, asOf: EpochDay, needs: DataNeeds): IngestOptions {
  const props = needs.fields
    .filter((f) => f.startsWith("props."))
    .map((f) => f.slice("props.".length));
  return {
    asOf,
    timezone: settings.timezone,
    ...(settings.defaultCountry === undefined ? {} : { defaultCountry: settings.defaultCountry }),
    ...(settings.dateOrder === undefined ? {} : { dateOrder: settings.dateOrder }),
    decimal: settings.decimal,
    preset: settings.preset,
    detectPreset: settings.detectPreset,
    columns: settings.columns,
    ...(settings.excludeStatus === undefined ? {} : { excludeStatus: settings.excludeStatus }),
    ...(settings.currency === undefined ? {} : { currency: settings.currency }),
    ...(settings.exchangeRates === undefined ? {} : { exchangeRates: settings.exchangeRates }),
    aggregates: needs.aggregates,
    props,
    products: needs.fields.includes("products"),
    categories: needs.fields.includes("categories"),
    purchaseDays: needs.predictions === true || needs.fields.some(needsPredictions),
    includeShipping: settings.includeShipping,
  };
}
