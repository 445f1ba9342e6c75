/**
 * The customer profile of docs/design.md#profile, as getters over the store: `field(name)(c)` is the value of
 * field `name` for customer `c` as of `asOf` (null when absent). The evaluator and the output
 * writers read profiles only through these getters.
 */
import type { RfmSettings } from "../rfm/settings.js";
import { parsePredictionField } from "../dsl/env.js";
import { UserError } from "../errors.js";
import { fitModels, Predictions } from "../predict/index.js";
import type { Getter } from "../dsl/evaluator.js";
import type { EpochDay } from "../calendar.js";
import { computeRfm, revenuePercentiles, type RfmResult } from "../rfm/compute.js";
import { isProfileField, PROFILE_FIELD_TABLE, roundCents } from "./fields.js";
import type { CustomerStore } from "./store.js";

export class Profiles {
  readonly store: CustomerStore;
  readonly asOf: EpochDay;
  readonly rfm: RfmResult;
  readonly revenuePercentile: Float64Array;
  readonly daysSinceLastOrder: Float64Array;

  constructor(store: CustomerStore, asOf: EpochDay, rfm: RfmSettings) {
    this.store = store;
    this.asOf = asOf;
    const size = store.size;
    // Money sums accumulate float noise (0.1 + 0.2): every reader sees them to the cent.
    for (let c = 0; c < size; c++) store.totalSpent[c] = roundCents(store.totalSpent[c]);
    // Likewise `spent(…)` sums (counts are whole numbers, which rounding leaves alone).
    for (const column of store.aggregates)
      for (let c = 0; c < size; c++) column[c] = roundCents(column[c]);
    this.daysSinceLastOrder = new Float64Array(size);
    for (let c = 0; c < size; c++) this.daysSinceLastOrder[c] = asOf - store.lastOrderDay[c];
    this.rfm = computeRfm(
      {
        daysSinceLastOrder: this.daysSinceLastOrder,
        ordersCount: store.ordersCount,
        totalSpent: store.totalSpent,
      },
      size,
      rfm.fixed,
      rfm.map,
    );
    this.revenuePercentile = revenuePercentiles(store.ordersCount, store.totalSpent, size);
  }

  private fitted: Predictions | undefined;

  /**
   * The prediction models fitted on the buyers as of as_of (docs/design.md#predictions), once per run, the first
   * time a field needs them. Too few repeat buyers, or a fit that does not converge, is an error:
   * a segment would otherwise select on meaningless numbers. A problem of the spend model only
   * stops fields that use spend (`predicted_spend`, `predicted_clv`).
   */
  predictions(withSpend = false): Predictions {
    if (this.fitted === undefined) {
      const s = this.store;
      const fit = fitModels(
        { days: s.purchaseDays, totalSpent: s.totalSpent, firstDaySpent: s.firstDaySpent },
        this.asOf,
      );
      this.fitted = new Predictions(fit);
    }
    const problem = this.fitted.fit.problems.find((p) => withSpend || p.model === "bgnbd");
    if (problem !== undefined) {
      throw new UserError(problem.code, problem.message, {
        hint: "run `audience predict` to see the fit; segments that use p_alive or predicted_* need it",
      });
    }
    return this.fitted;
  }

  get size(): number {
    return this.store.size;
  }

  get buyers(): number {
    return this.rfm.buyers;
  }

  /** Acquisition channel: the contact's, else the channel of the first order. */
  acquisitionChannel(c: number): string | undefined {
    return this.store.contactChannel[c] ?? this.store.firstOrderChannel[c];
  }

  whatsappConsent(c: number): boolean {
    const v = this.store.whatsappConsent[c];
    return v === -1 ? this.store.smsConsent[c] === 1 : v === 1;
  }

  /**
   * The getter of a profile field (`PROFILE_FIELD_TABLE`), of a prediction call's field
   * (`predicted_orders(30d)`) or of `props.NAME`. The checker only lets through names of the same
   * table, so any other name is a programming error.
   */
  field(name: string): Getter<number> {
    const prediction = parsePredictionField(name);
    if (prediction !== undefined) {
      const orders = this.predictions().orders(prediction.days);
      if (prediction.fn === "predicted_orders") {
        return (c) => {
          const v = orders[c];
          return Number.isNaN(v) ? null : v;
        };
      }
      const spend = this.predictions(true).spend;
      return (c) => {
        const v = orders[c] * spend[c];
        return Number.isNaN(v) ? null : v;
      };
    }
    if (name.startsWith("props.")) {
      const column = this.store.props.get(name.slice("props.".length));
      if (column === undefined) return () => null;
      return (c) => column[c] ?? null;
    }
    if (!isProfileField(name)) throw new Error(`unknown profile field ${name}`);
    return PROFILE_FIELD_TABLE[name].get(this);
  }
}
