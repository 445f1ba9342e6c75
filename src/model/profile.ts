/**
 * The customer profile of docs/design.md#profile, as getters over the store: `field(name)(c)` is the value of
 * field `name` for customer `c` as of `asOf` (null when absent). The evaluator and the output
 * writers read profiles only through these getters.
 */
import type { RfmSettings } from "../rfm/settings.js";
import { parsePredictionField } from "../dsl/env.js";
import { UserError } from "../errors.js";
import { fitModels, Predictions } from "../predict/index.js";
import type { Getter, Value } from "../dsl/evaluator.js";
import type { EpochDay } from "../calendar.js";
import { computeRfm, revenuePercentiles, type RfmResult } from "../rfm/compute.js";
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

  /** The getter of a profile field or `props.NAME`. Unknown names are a programming error. */
  field(name: string): Getter<number> {
    const s = this.store;
    const asOf = this.asOf;
    const str =
      (column: (string | undefined)[]): Getter<number> =>
      (c) =>
        column[c] ?? null;
    const num =
      (column: ArrayLike<number>): Getter<number> =>
      (c) => {
        const v = column[c];
        return Number.isNaN(v) ? null : v;
      };
    const since =
      (column: ArrayLike<number>): Getter<number> =>
      (c) => {
        const v = column[c];
        return Number.isNaN(v) ? null : asOf - v;
      };
    const score =
      (column: Uint8Array): Getter<number> =>
      (c) =>
        column[c] === 0 ? null : column[c];
    const list =
      (column: (readonly string[] | undefined)[]): Getter<number> =>
      (c) =>
        column[c] ?? EMPTY;
    const set =
      (column: (Set<string> | undefined)[]): Getter<number> =>
      (c) => {
        const v = column[c];
        return v === undefined ? EMPTY : [...v];
      };
    const prediction = parsePredictionField(name);
    if (prediction !== undefined) {
      const orders = this.predictions().orders(prediction.days);
      if (prediction.fn === "predicted_orders") return num(orders);
      const spend = this.predictions(true).spend;
      return (c) => {
        const v = orders[c] * spend[c];
        return Number.isNaN(v) ? null : v;
      };
    }
    if (name.startsWith("props.")) {
      const column = s.props.get(name.slice("props.".length));
      if (column === undefined) return () => null;
      return str(column);
    }
    switch (name) {
      case "customer_id":
        return str(s.customerId);
      case "email":
        return str(s.email);
      case "phone":
        return str(s.phone);
      case "first_name":
        return str(s.firstName);
      case "last_name":
        return str(s.lastName);
      case "country":
        return str(s.country);
      case "city":
        return str(s.city);
      case "zip":
        return str(s.zip);
      case "acquisition_channel":
        return (c) => this.acquisitionChannel(c) ?? null;
      case "signup_date":
        return num(s.signupDay);
      case "email_consent":
        return (c) => s.emailConsent[c] === 1;
      case "sms_consent":
        return (c) => s.smsConsent[c] === 1;
      case "whatsapp_consent":
        return (c) => this.whatsappConsent(c);
      case "tags":
        return list(s.tags);
      case "lists":
        return list(s.lists);
      case "known_contact":
        return (c) => s.knownContact[c] === 1;
      case "orders_count":
        return (c) => s.ordersCount[c];
      case "total_spent":
        return (c) => s.totalSpent[c];
      case "avg_order_value":
        return (c) =>
          s.ordersCount[c] > 0 ? roundCents(s.totalSpent[c] / s.ordersCount[c]) : null;
      case "first_order_date":
        return num(s.firstOrderDay);
      case "last_order_date":
        return num(s.lastOrderDay);
      case "days_since_first_order":
        return since(s.firstOrderDay);
      case "days_since_last_order":
        return since(s.lastOrderDay);
      case "days_since_signup":
        return since(s.signupDay);
      case "first_order_channel":
        return str(s.firstOrderChannel);
      case "last_order_channel":
        return str(s.lastOrderChannel);
      case "last_product":
        return str(s.lastProduct);
      case "last_category":
        return str(s.lastCategory);
      case "products":
        return set(s.products);
      case "categories":
        return set(s.categories);
      case "rfm_r":
        return score(this.rfm.r);
      case "rfm_f":
        return score(this.rfm.f);
      case "rfm_m":
        return score(this.rfm.m);
      case "rfm_score":
        return (c) =>
          this.rfm.r[c] === 0 ? null : `${this.rfm.r[c]}${this.rfm.f[c]}${this.rfm.m[c]}`;
      case "rfm_segment":
        return (c) => this.rfm.segment[c];
      case "revenue_percentile":
        return num(this.revenuePercentile);
      case "p_alive":
        return num(this.predictions().pAlive);
      case "predicted_spend":
        return num(this.predictions(true).spend);
      default:
        throw new Error(`unknown profile field ${name}`);
    }
  }
}

const EMPTY: readonly Value[] = Object.freeze([]) as readonly Value[];

/** Money sums accumulate float noise (0.1 + 0.2); profiles show them to the cent. */
export function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}
