/**
 * One customer view (SPEC §1 identity, §2 fields), stored column by column: customer `c` is index
 * `c` of every array. Memory grows with the number of customers and the aggregates the segments
 * need, never with the number of order rows.
 */

/** An absent date or number in a numeric column. */
export const NONE = NaN;

/** Consent as read: 1 yes, 0 no, -1 not given (WhatsApp then falls back to SMS). */
export type ConsentValue = 1 | 0 | -1;

export class CustomerStore {
  size = 0;

  readonly byId = new Map<string, number>();
  readonly byEmail = new Map<string, number>();
  readonly byPhone = new Map<string, number>();

  readonly customerId: (string | undefined)[] = [];
  readonly email: (string | undefined)[] = [];
  readonly phone: (string | undefined)[] = [];
  readonly firstName: (string | undefined)[] = [];
  readonly lastName: (string | undefined)[] = [];
  readonly country: (string | undefined)[] = [];
  readonly city: (string | undefined)[] = [];
  readonly zip: (string | undefined)[] = [];
  readonly contactChannel: (string | undefined)[] = [];
  readonly signupDay: number[] = [];
  readonly emailConsent: ConsentValue[] = [];
  readonly smsConsent: ConsentValue[] = [];
  readonly whatsappConsent: ConsentValue[] = [];
  readonly tags: (string[] | undefined)[] = [];
  readonly lists: (string[] | undefined)[] = [];
  readonly knownContact: boolean[] = [];
  /** Custom contact columns that some segment or output uses: name → column. */
  readonly props = new Map<string, (string | undefined)[]>();

  readonly ordersCount: number[] = [];
  readonly totalSpent: number[] = [];
  readonly firstOrderDay: number[] = [];
  readonly lastOrderDay: number[] = [];
  /** Row sequence of the first/last order, to break ties between orders of the same day. */
  readonly firstOrderSeq: number[] = [];
  readonly lastOrderSeq: number[] = [];
  readonly firstOrderChannel: (string | undefined)[] = [];
  readonly lastOrderChannel: (string | undefined)[] = [];
  readonly lastProduct: (string | undefined)[] = [];
  readonly lastCategory: (string | undefined)[] = [];
  /** Distinct products / categories bought; only filled when a segment or output needs them. */
  readonly products: (Set<string> | undefined)[] = [];
  readonly categories: (Set<string> | undefined)[] = [];

  /** One column per plan aggregate (`orders(…)`, `spent(…)`, `events(…)`). */
  readonly aggregates: number[][];

  constructor(aggregateCount: number, propNames: readonly string[]) {
    this.aggregates = Array.from({ length: aggregateCount }, () => []);
    for (const name of propNames) this.props.set(name, []);
  }

  /** Adds an empty customer and returns its index. */
  create(known: boolean): number {
    const c = this.size++;
    this.customerId.push(undefined);
    this.email.push(undefined);
    this.phone.push(undefined);
    this.firstName.push(undefined);
    this.lastName.push(undefined);
    this.country.push(undefined);
    this.city.push(undefined);
    this.zip.push(undefined);
    this.contactChannel.push(undefined);
    this.signupDay.push(NONE);
    this.emailConsent.push(-1);
    this.smsConsent.push(-1);
    this.whatsappConsent.push(-1);
    this.tags.push(undefined);
    this.lists.push(undefined);
    this.knownContact.push(known);
    for (const column of this.props.values()) column.push(undefined);
    this.ordersCount.push(0);
    this.totalSpent.push(0);
    this.firstOrderDay.push(NONE);
    this.lastOrderDay.push(NONE);
    this.firstOrderSeq.push(0);
    this.lastOrderSeq.push(0);
    this.firstOrderChannel.push(undefined);
    this.lastOrderChannel.push(undefined);
    this.lastProduct.push(undefined);
    this.lastCategory.push(undefined);
    this.products.push(undefined);
    this.categories.push(undefined);
    for (const column of this.aggregates) column.push(0);
    return c;
  }

  /** The customer an id, email or phone belongs to (tried in that order), or -1. */
  find(id: string | undefined, email: string | undefined, phone: string | undefined): number {
    if (id !== undefined) {
      const c = this.byId.get(id);
      if (c !== undefined) return c;
    }
    if (email !== undefined) {
      const c = this.byEmail.get(email);
      if (c !== undefined) return c;
    }
    if (phone !== undefined) {
      const c = this.byPhone.get(phone);
      if (c !== undefined) return c;
    }
    return -1;
  }

  /** Records identifiers the customer does not have yet, and indexes them when free. */
  attach(
    c: number,
    id: string | undefined,
    email: string | undefined,
    phone: string | undefined,
  ): void {
    if (id !== undefined && this.customerId[c] === undefined) {
      this.customerId[c] = id;
      if (!this.byId.has(id)) this.byId.set(id, c);
    }
    if (email !== undefined) {
      if (this.email[c] === undefined) this.email[c] = email;
      if (!this.byEmail.has(email)) this.byEmail.set(email, c);
    }
    if (phone !== undefined) {
      if (this.phone[c] === undefined) this.phone[c] = phone;
      if (!this.byPhone.has(phone)) this.byPhone.set(phone, c);
    }
  }

  /** SPEC §1: customer_id, else the normalized email, else the E.164 phone. */
  key(c: number): string {
    return this.customerId[c] ?? this.email[c] ?? this.phone[c] ?? "";
  }

  addToList(c: number, list: string): void {
    const current = this.lists[c];
    if (current === undefined) this.lists[c] = [list];
    else if (!current.includes(list)) current.push(list);
  }

  addTags(c: number, tags: readonly string[]): void {
    if (tags.length === 0) return;
    const current = this.tags[c];
    if (current === undefined) {
      this.tags[c] = [...tags];
      return;
    }
    for (const tag of tags) if (!current.includes(tag)) current.push(tag);
  }
}
