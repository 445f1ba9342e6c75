/**
 * A buyer's name and place taken from their orders, where their contact rows did not give them
 * (docs/design.md#inputs). Contacts are read first and win, field by field. The fields contacts
 * left empty come together, as one block, from the customer's latest order that carries any of
 * them — by date and time of day, then order id, like `last_order_date` — so that a city and a
 * zip never come from two different orders, and the buyer's current name and address (the one
 * they gave last) is the one kept. Never by place in the file.
 */
import { own, type CustomerStore } from "./store.js";

/** What an order says about its buyer (ingest-orders.ts OpenOrder). */
export interface OrderBuyer {
  /** The order's date and time of day (DateParser.time). */
  readonly time: number;
  /** The order id, "" without one. */
  readonly id: string;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly country: string | undefined;
  readonly city: string | undefined;
  readonly zip: string | undefined;
}

const FIELDS = ["firstName", "lastName", "country", "city", "zip"] as const;
/** Set in `store.orderFields` once the fields the orders may give are known. */
const DECIDED = 1 << FIELDS.length;

/** Fills the fields of customer `c` that its contacts left empty from `order` when it is the latest so far. */
export function describeBuyer(store: CustomerStore, c: number, order: OrderBuyer): void {
  let owned = store.orderFields[c];
  if (owned === 0) {
    // The first counted order of the customer: contacts are all read.
    owned = DECIDED;
    FIELDS.forEach((name, i) => {
      if (store[name][c] === undefined) owned |= 1 << i;
    });
    store.orderFields[c] = owned;
  }
  const values = FIELDS.map((name) => order[name]);
  if (!values.some((v, i) => v !== undefined && (owned & (1 << i)) !== 0)) return;
  const time = store.describedTime[c];
  if (!Number.isNaN(time)) {
    const current = FIELDS.map((name, i) =>
      (owned & (1 << i)) !== 0 ? store[name][c] : undefined,
    );
    const mine = values.map((v, i) => ((owned & (1 << i)) !== 0 ? v : undefined));
    if (!isLater(order.time, order.id, mine, time, store.describedId[c] ?? "", current)) return;
  }
  FIELDS.forEach((name, i) => {
    if ((owned & (1 << i)) !== 0) store[name][c] = store.strings.intern(values[i]);
  });
  store.describedTime[c] = order.time;
  store.describedId[c] = own(order.id);
}

/**
 * Whether order A comes strictly after order B: by date and time of day, then order id (an order
 * without one first, then the shorter id, then by text: "9" before "10"), then — orders without an
 * id at the same instant — by what they say of the buyer, as text (an absent value first), so
 * that which of two equal orders wins changes nothing written. ingest-orders.ts `orderBefore`
 * orders first and last orders by the same rule.
 */
function isLater(
  timeA: number,
  idA: string,
  valuesA: readonly (string | undefined)[],
  timeB: number,
  idB: string,
  valuesB: readonly (string | undefined)[],
): boolean {
  if (timeA !== timeB) return timeA > timeB;
  if (idA !== idB) return idA.length !== idB.length ? idA.length > idB.length : idA > idB;
  for (let i = 0; i < valuesA.length; i++) {
    const x = valuesA[i] ?? "";
    const y = valuesB[i] ?? "";
    if (x !== y) return x > y;
  }
  return false;
}
