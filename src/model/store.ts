/**
 * One customer view (docs/design.md#inputs identity, §2 fields), stored column by column: customer `c` is index
 * `c` of every column. Numbers live in typed arrays (no per-value objects for the garbage collector
 * to walk), text in plain arrays, and repeated short values (cities, channels, names, products) are
 * shared rather than copied per customer. Memory grows with the number of customers and the
 * aggregates the segments need, never with the number of order rows.
 */

/** An absent date or number in a numeric column. */
export const NONE = NaN;

/** Consent as read: 1 yes, 0 no, -1 not given (WhatsApp then falls back to SMS). */
export type ConsentValue = 1 | 0 | -1;

const INITIAL_CAPACITY = 1024;

/** The identifier that linked a row to a customer already known. */
export type MatchReason = "customer_id" | "email" | "phone";

/**
 * What an earlier reading of the same inputs found (docs/design.md#inputs identity), for a reading
 * whose matches must not depend on the order rows come in (`CustomerStore.orderDependent`).
 */
export interface IdentityHints {
  /**
   * Email → of the rows with a customer_id that carry it, the id that sorts first: rows without an
   * id that carry it are that customer's, even read before any row of it.
   */
  readonly emailId: ReadonlyMap<string, string>;
  /**
   * Phone → the customer phone-only rows without an id are matched to, as `i` + customer_id,
   * `e` + email (a customer without an id) or `p` + the phone itself (`ownerTag`).
   */
  readonly phoneOwner: ReadonlyMap<string, string>;
}

/**
 * Readings of the inputs at most (`CustomerStore.orderDependent`): the first, one with hints (which
 * decide every row), and one more for phones shared in a way only the second one showed.
 */
export const MAX_READINGS = 4;

/** `rowFlags` bits: a row without an id of its own was attached to the customer. */
const IDLESS_ROWS = 1;
/** `rowFlags` bits: a phone-only row without an id was matched to the customer by its phone. */
const PHONE_MATCHED = 2;

function grown<T extends Float64Array | Int32Array | Int8Array | Uint8Array>(
  column: T,
  capacity: number,
  fill?: number,
): T {
  const next = new (column.constructor as new (n: number) => T)(capacity);
  next.set(column);
  if (fill !== undefined) next.fill(fill, column.length);
  return next;
}

/**
 * A copy of `value` that holds only its own characters. Cells arrive as slices of their row's
 * text (packed-rows.ts); a string the store keeps for the whole run would keep that whole row
 * alive with it — for a million customers, about 150 MB of rows to keep one email each.
 */
export function own(value: string): string {
  // V8 copies strings shorter than 13 characters instead of slicing them.
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

/**
 * Shares equal strings: a million customers in forty cities hold forty city strings, not a
 * million. Only for values with few distinct spellings; the table stops growing past a limit.
 */
export class Interner {
  private readonly table = new Map<string, string>();
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  intern(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const known = this.table.get(value);
    if (known !== undefined) return known;
    const copy = own(value);
    if (this.table.size < this.limit) this.table.set(copy, copy);
    return copy;
  }
}

export class CustomerStore {
  size = 0;
  /** Customers that have a customer_id (the others can still be merged into by id-bearing rows). */
  withId = 0;
  private capacity = INITIAL_CAPACITY;

  readonly byId = new Map<string, number>();
  /**
   * Email (phone) → the customer rows without an id are matched to (`ownerOf`): of the rows read
   * so far that carry it, the customer of the one with the customer_id that sorts first, else
   * (no row with an id carries it yet) of the first. Stored as `c` when a row with an id gave it,
   * `~c` (negative) when only rows without one did. Read through `ownerOf`.
   */
  readonly byEmail = new Map<string, number>();
  readonly byPhone = new Map<string, number>();
  /** Shared strings for low-cardinality text columns. */
  readonly strings = new Interner();

  readonly customerId: (string | undefined)[] = [];
  /**
   * The customer's email and phone, of all its rows' (docs/design.md#inputs): from its contact
   * rows, the one of the earliest signup day, then the one that sorts first (ingest-contacts.ts);
   * else, of its other rows' (orders, events, lists), the one that sorts first (`attach`). Never
   * the first met. `keysFromContacts` says which came from contact rows.
   */
  readonly email: (string | undefined)[] = [];
  readonly phone: (string | undefined)[] = [];
  readonly firstName: (string | undefined)[] = [];
  readonly lastName: (string | undefined)[] = [];
  readonly country: (string | undefined)[] = [];
  readonly city: (string | undefined)[] = [];
  readonly zip: (string | undefined)[] = [];
  /** State or province (a code where the export has one: Shopify `Province Code`). */
  readonly state: (string | undefined)[] = [];
  readonly contactChannel: (string | undefined)[] = [];
  readonly tags: (string[] | undefined)[] = [];
  readonly lists: (string[] | undefined)[] = [];
  /** Custom contact columns that some segment or output uses: name → column. */
  readonly props = new Map<string, (string | undefined)[]>();
  readonly firstOrderChannel: (string | undefined)[] = [];
  readonly lastOrderChannel: (string | undefined)[] = [];
  readonly lastProduct: (string | undefined)[] = [];
  /** Order ids of the first and last orders, for the same-day tie-break (ingest-orders.ts). */
  readonly firstOrderId: (string | undefined)[] = [];
  readonly lastOrderId: (string | undefined)[] = [];
  readonly lastCategory: (string | undefined)[] = [];
  /**
   * Distinct products / categories bought, each with the time of its first purchase (as
   * `firstOrderTime`); only filled when a segment or output needs them. Written in that order,
   * then by name (`listByFirstPurchase`), never in the order met.
   */
  readonly products: (Map<string, number> | undefined)[] = [];
  readonly categories: (Map<string, number> | undefined)[] = [];
  /**
   * Of customers with two or more contact rows: the rank (signup day, Infinity when undated) of
   * the row each field was taken from (ingest-contacts.ts CONTACT_FIELDS, then the props). Rows of
   * one customer merge by that rank, never by place in the file (docs/design.md#inputs).
   */
  readonly contactRanks = new Map<number, Float64Array>();
  /** The order id of the order the buyer's name and place come from (buyer-fields.ts). */
  readonly describedId: (string | undefined)[] = [];
  /**
   * Distinct purchase days of each buyer, in the order met; only filled when a segment or report
   * uses a prediction (docs/design.md#predictions). `firstDaySpent` is the amount spent on the earliest of them.
   */
  readonly purchaseDays: (number[] | undefined)[] = [];

  // Numeric columns: typed arrays with spare capacity (only the first `size` entries count).
  signupDay = new Float64Array(INITIAL_CAPACITY).fill(NONE);
  emailConsent = new Int8Array(INITIAL_CAPACITY).fill(-1);
  smsConsent = new Int8Array(INITIAL_CAPACITY).fill(-1);
  whatsappConsent = new Int8Array(INITIAL_CAPACITY).fill(-1);
  /** 1 for customers with a contact row; 0 for buyers, senders and list members found elsewhere. */
  knownContact = new Uint8Array(INITIAL_CAPACITY);
  ordersCount = new Int32Array(INITIAL_CAPACITY);
  totalSpent = new Float64Array(INITIAL_CAPACITY);
  firstOrderDay = new Float64Array(INITIAL_CAPACITY).fill(NONE);
  lastOrderDay = new Float64Array(INITIAL_CAPACITY).fill(NONE);
  /**
   * Date and time of day of the first/last order, in the shop's time zone (DateParser.time):
   * orders of one day are ordered by it, then by order id (ingest-orders.ts).
   */
  firstOrderTime = new Float64Array(INITIAL_CAPACITY).fill(NONE);
  lastOrderTime = new Float64Array(INITIAL_CAPACITY).fill(NONE);
  firstDaySpent = new Float64Array(INITIAL_CAPACITY);
  /** Date and time of the order the name and place come from; NaN: none (buyer-fields.ts). */
  describedTime = new Float64Array(INITIAL_CAPACITY).fill(NONE);
  /** Which of name and place the orders give (bits, buyer-fields.ts); 0: not decided yet. */
  orderFields = new Uint8Array(INITIAL_CAPACITY);
  /**
   * 1 for customers whose email (phone) another customer also has, or may have: only their
   * emails (phones) need checking when a file keeps each value once. 0 means unique.
   */
  sharedEmail = new Uint8Array(INITIAL_CAPACITY);
  sharedPhone = new Uint8Array(INITIAL_CAPACITY);
  /** Bits: FROM_CONTACTS_EMAIL, FROM_CONTACTS_PHONE — `email`/`phone` came from a contact row. */
  keysFromContacts = new Uint8Array(INITIAL_CAPACITY);
  /** Bits IDLESS_ROWS, PHONE_MATCHED: what `orderDependent` needs to know of a customer's rows. */
  rowFlags = new Uint8Array(INITIAL_CAPACITY);
  /**
   * 1 for customers whose phone cannot receive an SMS or WhatsApp message (a landline, a toll-free
   * number): set by `markUntextablePhones` for runs that send on those channels; 0 otherwise.
   */
  cannotText = new Uint8Array(INITIAL_CAPACITY);
  /** One column per plan aggregate (`orders(…)`, `spent(…)`, `events(…)`). */
  aggregates: Float64Array[];

  /** The last identifiers looked up and their customer: rows of one customer often follow. */
  private lastId: string | undefined;
  private lastEmail: string | undefined;
  private lastPhone: string | undefined;
  private lastFound = -1;
  /** Of the last `find` that found a customer: the identifier that found it. */
  lastMatch: MatchReason = "customer_id";
  /** Of the last `find`: a phone belonged to a customer with another email, and was not linked. */
  lastKeptApart = false;
  /**
   * Set when a match was decided from the rows read so far in a way the rows read later may
   * contradict (docs/design.md#inputs identity): an email or phone whose customer changed after a
   * row without an id was matched by it, a phone two customers carry that a phone-only row was
   * matched by, a row kept apart by its phone. The reader then reads the inputs again with the
   * `hints` this reading gives (`identityHints`), which decide every row by the order-free rule.
   */
  orderDependent = false;
  /** The hints of an earlier reading of the same inputs, if any. */
  hints: IdentityHints | undefined;
  /**
   * The customer the last `find` returned -1 for, because the hints give it but no row of it was
   * read yet (`ownerTag` form): the next `create` makes it.
   */
  pending: string | undefined;

  constructor(aggregateCount: number, propNames: readonly string[]) {
    this.aggregates = Array.from(
      { length: aggregateCount },
      () => new Float64Array(INITIAL_CAPACITY),
    );
    for (const name of propNames) this.props.set(name, []);
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.signupDay = grown(this.signupDay, capacity, NONE);
    this.emailConsent = grown(this.emailConsent, capacity, -1);
    this.smsConsent = grown(this.smsConsent, capacity, -1);
    this.whatsappConsent = grown(this.whatsappConsent, capacity, -1);
    this.knownContact = grown(this.knownContact, capacity);
    this.ordersCount = grown(this.ordersCount, capacity);
    this.totalSpent = grown(this.totalSpent, capacity);
    this.firstOrderDay = grown(this.firstOrderDay, capacity, NONE);
    this.lastOrderDay = grown(this.lastOrderDay, capacity, NONE);
    this.firstOrderTime = grown(this.firstOrderTime, capacity, NONE);
    this.lastOrderTime = grown(this.lastOrderTime, capacity, NONE);
    this.firstDaySpent = grown(this.firstDaySpent, capacity);
    this.describedTime = grown(this.describedTime, capacity, NONE);
    this.orderFields = grown(this.orderFields, capacity);
    this.sharedEmail = grown(this.sharedEmail, capacity);
    this.sharedPhone = grown(this.sharedPhone, capacity);
    this.keysFromContacts = grown(this.keysFromContacts, capacity);
    this.rowFlags = grown(this.rowFlags, capacity);
    this.cannotText = grown(this.cannotText, capacity);
    this.aggregates = this.aggregates.map((column) => grown(column, capacity));
    this.capacity = capacity;
  }

  /** Adds an empty customer and returns its index. */
  create(known: boolean): number {
    if (this.size === this.capacity) this.grow();
    this.lastFound = -1;
    const c = this.size++;
    this.customerId.push(undefined);
    this.email.push(undefined);
    this.phone.push(undefined);
    this.firstName.push(undefined);
    this.lastName.push(undefined);
    this.country.push(undefined);
    this.city.push(undefined);
    this.zip.push(undefined);
    this.state.push(undefined);
    this.contactChannel.push(undefined);
    this.tags.push(undefined);
    this.lists.push(undefined);
    for (const column of this.props.values()) column.push(undefined);
    this.firstOrderChannel.push(undefined);
    this.lastOrderChannel.push(undefined);
    this.lastProduct.push(undefined);
    this.lastCategory.push(undefined);
    this.products.push(undefined);
    this.categories.push(undefined);
    this.purchaseDays.push(undefined);
    this.describedId.push(undefined);
    this.knownContact[c] = known ? 1 : 0;
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      const value = pending.slice(1);
      if (pending[0] === "i") {
        this.customerId[c] = value;
        this.withId++;
        this.byId.set(value, c);
      } else if (pending[0] === "e") {
        this.email[c] = value;
        this.byEmail.set(value, ~c);
      }
    }
    return c;
  }

  /**
   * The customer an id, email or phone belongs to (tried in that order), or -1. A phone links a
   * row with an email only to a customer of that phone alone (no email, no customer_id): two
   * people with different emails stay two customers when they share a phone (a family or shop
   * landline). With `hints`, a row without an id goes where the whole of the inputs says
   * (docs/design.md#inputs identity), even before any row of that customer was read (`pending`).
   * `lastMatch` says which identifier found the customer, `lastKeptApart` whether a phone was
   * left unlinked for that reason.
   */
  find(id: string | undefined, email: string | undefined, phone: string | undefined): number {
    this.pending = undefined;
    if (
      this.lastFound >= 0 &&
      id === this.lastId &&
      email === this.lastEmail &&
      phone === this.lastPhone
    ) {
      this.lastKeptApart = false;
      return this.lastFound;
    }
    this.lastKeptApart = false;
    const hints = this.hints;
    let c: number | undefined;
    let match: MatchReason = "customer_id";
    if (id !== undefined) c = this.byId.get(id);
    if (c === undefined && email !== undefined) {
      match = "email";
      const hinted = id === undefined ? hints?.emailId.get(email) : undefined;
      if (hinted === undefined) c = ownerOf(this.byEmail, email);
      else if ((c = this.byId.get(hinted)) === undefined) {
        this.pending = `i${hinted}`;
        return -1;
      }
    }
    if (c === undefined && phone !== undefined) {
      match = "phone";
      const hinted = hints?.phoneOwner.get(phone);
      if (hinted !== undefined) {
        // A row with an email is that email's customer: the hints link only phone-only rows.
        if (email === undefined && (c = this.ofTag(hinted)) === undefined) {
          this.pending = hinted;
          return -1;
        }
      } else if ((c = ownerOf(this.byPhone, phone)) !== undefined) {
        if (
          email !== undefined &&
          (this.email[c] !== undefined || this.customerId[c] !== undefined)
        ) {
          // The phone's customer has another email, or a customer_id: another person.
          this.lastKeptApart = true;
          c = undefined;
        } else {
          if (email === undefined) this.rowFlags[c] |= PHONE_MATCHED;
          // Another customer carries that phone: which one the row belongs to is not decided yet.
          if (this.sharedPhone[c] === 1) this.orderDependent = true;
        }
      }
    }
    if (c === undefined) return -1;
    this.lastMatch = match;
    this.lastId = id;
    this.lastEmail = email;
    this.lastPhone = phone;
    this.lastFound = c;
    return c;
  }

  /** The customer an `ownerTag` names, if a row of it was read. */
  private ofTag(tag: string): number | undefined {
    const value = tag.slice(1);
    if (tag[0] === "i") return this.byId.get(value);
    return ownerOf(tag[0] === "e" ? this.byEmail : this.byPhone, value);
  }

  /**
   * `c` as `IdentityHints.phoneOwner` names it: `i` + its customer_id, else `e` + its email, else
   * `p` + its phone.
   */
  ownerTag(c: number): string {
    const id = this.customerId[c];
    if (id !== undefined) return `i${id}`;
    const email = this.email[c];
    return email !== undefined ? `e${email}` : `p${this.phone[c] ?? ""}`;
  }

  /**
   * Whether a row just attached to `c` carries a phone that is another customer's (counted as
   * kept apart): a row without an id, with an email, of a customer without an id. Without a hint
   * for that phone, which customer it is may still change: `orderDependent`.
   */
  keptApart(
    c: number,
    id: string | undefined,
    email: string | undefined,
    phone: string | undefined,
  ): boolean {
    if (id !== undefined || email === undefined || phone === undefined) return false;
    if (this.customerId[c] !== undefined) return false;
    const hinted = this.hints?.phoneOwner.get(phone);
    if (hinted !== undefined) return hinted !== this.ownerTag(c);
    const owner = ownerOf(this.byPhone, phone);
    if (owner === undefined || owner === c) return false;
    this.orderDependent = true;
    return true;
  }

  /**
   * Whether the inputs must be read again (docs/design.md#inputs identity): this reading
   * depended on row order (`orderDependent`), or it was given hints that its own rows contradict —
   * a phone whose owner, once every row was read, is not the customer the hints sent phone-only
   * rows to (a customer that took a customer_id after the phone was indexed outranks the owner
   * the earlier reading saw: its phones were ranked without it). A reading is kept only when it
   * confirms the hints it was read with.
   */
  readAgain(): boolean {
    if (this.orderDependent) return true;
    const hints = this.hints;
    if (hints === undefined) return false;
    for (const [phone, tag] of hints.phoneOwner)
      if ((this.phoneTag(phone, hints.emailId) ?? tag) !== tag) return true;
    return false;
  }

  /**
   * The hints for reading the same inputs again (`readAgain`): of the emails carried by a
   * customer with an id and by another customer or a row without an id, that id; of the phones
   * two customers carry (or that `previous` named), the customer they belong to. `previous` (this
   * reading's own hints) keeps the emails' (read from every row of the first reading).
   */
  identityHints(previous: IdentityHints | undefined): IdentityHints {
    let emailId = previous?.emailId;
    if (emailId === undefined) {
      const found = new Map<string, string>();
      for (const [email, stored] of this.byEmail) {
        if (stored < 0) continue;
        const id = this.customerId[stored];
        if (
          id !== undefined &&
          (this.sharedEmail[stored] === 1 || (this.rowFlags[stored] & IDLESS_ROWS) !== 0)
        )
          found.set(email, id);
      }
      emailId = found;
    }
    const phoneOwner = new Map(previous?.phoneOwner);
    for (const [phone, stored] of this.byPhone) {
      const owner = stored < 0 ? ~stored : stored;
      if (this.sharedPhone[owner] !== 1 && !phoneOwner.has(phone)) continue;
      phoneOwner.set(phone, this.phoneTag(phone, emailId) as string);
    }
    return { emailId, phoneOwner };
  }

  /**
   * The `ownerTag` of the customer a phone belongs to after this reading, or undefined when no
   * row carried it: a customer without an id found by an email `emailId` gives to an id is that
   * id's.
   */
  private phoneTag(phone: string, emailId: ReadonlyMap<string, string>): string | undefined {
    const owner = ownerOf(this.byPhone, phone);
    if (owner === undefined) return undefined;
    const tag = this.ownerTag(owner);
    if (tag[0] === "e") {
      const id = emailId.get(tag.slice(1));
      if (id !== undefined) return `i${id}`;
    }
    return tag;
  }

  /**
   * Records a row's identifiers on customer `c` and indexes them. An email (phone) the customer
   * has none of yet is kept; one that sorts before the kept one replaces it, unless that one came
   * from a contact row (contact rows decide among themselves by signup day, ingest-contacts.ts).
   * `id` is the row's own customer_id (undefined for a row without one, even when `c` has one).
   */
  attach(
    c: number,
    id: string | undefined,
    email: string | undefined,
    phone: string | undefined,
  ): void {
    // What is kept is a copy (own): these strings stay for the whole run.
    if (id === undefined) this.rowFlags[c] |= IDLESS_ROWS;
    else if (this.customerId[c] === undefined) {
      // A customer of rows without an id takes one: another customer sharing its email or phone
      // may have been decided against it.
      if (
        (this.rowFlags[c] & IDLESS_ROWS) !== 0 &&
        (this.sharedEmail[c] === 1 || this.sharedPhone[c] === 1)
      )
        this.orderDependent = true;
      const kept = own(id);
      this.customerId[c] = kept;
      this.withId++;
      if (!this.byId.has(kept)) {
        this.byId.set(kept, c);
        this.lastFound = -1;
      }
    }
    if (email !== undefined) {
      const current = this.email[c];
      if (
        current === undefined ||
        ((this.keysFromContacts[c] & FROM_CONTACTS_EMAIL) === 0 && email < current)
      )
        this.email[c] = own(email);
      const kept = this.email[c];
      this.index(
        this.byEmail,
        this.sharedEmail,
        email,
        kept === email ? kept : undefined,
        c,
        id,
        false,
      );
    }
    if (phone !== undefined) {
      const current = this.phone[c];
      if (
        current === undefined ||
        ((this.keysFromContacts[c] & FROM_CONTACTS_PHONE) === 0 && phone < current)
      )
        this.phone[c] = own(phone);
      const kept = this.phone[c];
      this.index(
        this.byPhone,
        this.sharedPhone,
        phone,
        kept === phone ? kept : undefined,
        c,
        id,
        true,
      );
    }
  }

  /**
   * Indexes `value` (`kept`: the customer's copy of it, if it keeps it) for customer `c`, met on a
   * row with customer_id `id` (see `byEmail`). An email's owner is the customer of the row with
   * an id that sorts first (rows without one only when no row with an id carries it). A phone's
   * (`byRank`) is, of the customers carrying it, the one with the customer_id that sorts first,
   * else the one without an id whose email sorts first (`outranks`). Customers that carry one
   * value are all marked in `shared`; a change of owner after rows without an id were matched to
   * the former one makes the reading `orderDependent`.
   */
  private index(
    map: Map<string, number>,
    shared: Uint8Array,
    value: string,
    kept: string | undefined,
    c: number,
    id: string | undefined,
    byRank: boolean,
  ): void {
    const stored = map.get(value);
    if (stored === undefined) {
      // The customer's own copy when it keeps this value: one string for both.
      map.set(kept ?? own(value), id === undefined ? ~c : c);
      this.lastFound = -1;
      return;
    }
    const owner = stored < 0 ? ~stored : stored;
    if (owner === c) {
      if (id !== undefined && stored < 0) map.set(value, c);
      return;
    }
    shared[c] = 1;
    shared[owner] = 1;
    const takes = byRank
      ? this.outranks(c, owner)
      : id !== undefined && (stored < 0 || id < (this.customerId[owner] as string));
    if (takes) {
      map.set(value, id === undefined ? ~c : c);
      this.lastFound = -1;
      if ((this.rowFlags[owner] & IDLESS_ROWS) !== 0) this.orderDependent = true;
    }
    if (byRank && ((this.rowFlags[owner] | this.rowFlags[c]) & PHONE_MATCHED) !== 0)
      this.orderDependent = true;
  }

  /**
   * Whether `a` comes before `b` as a phone's owner: a customer with a customer_id before one
   * without, one with an email before one with none; then by key (code points).
   */
  private outranks(a: number, b: number): boolean {
    const rank = (c: number) =>
      this.customerId[c] !== undefined ? 0 : this.email[c] !== undefined ? 1 : 2;
    const ra = rank(a);
    const rb = rank(b);
    return ra !== rb ? ra < rb : this.key(a) < this.key(b);
  }

  /** docs/design.md#inputs: customer_id, else the normalized email, else the E.164 phone. */
  key(c: number): string {
    return this.customerId[c] ?? this.email[c] ?? this.phone[c] ?? "";
  }

  /** Adds `c` to a list: a customer's lists are kept in name order (code points), never as met. */
  addToList(c: number, list: string): void {
    const name = this.strings.intern(list) as string;
    const current = this.lists[c];
    if (current === undefined) {
      this.lists[c] = [name];
      return;
    }
    if (current.includes(name)) return;
    let at = current.length;
    while (at > 0 && current[at - 1] > name) at--;
    current.splice(at, 0, name);
  }

  /** Adds tags to `c`: each once, in name order (code points), never as met. */
  addTags(c: number, tags: readonly string[]): void {
    for (const tag of tags) {
      const name = this.strings.intern(tag) as string;
      const current = (this.tags[c] ??= []);
      if (current.includes(name)) continue;
      let at = current.length;
      while (at > 0 && current[at - 1] > name) at--;
      current.splice(at, 0, name);
    }
  }
}

/** `keysFromContacts` bits. */
export const FROM_CONTACTS_EMAIL = 1;
export const FROM_CONTACTS_PHONE = 2;

/** The customer an email (phone) index gives (`CustomerStore.byEmail`), or undefined. */
export function ownerOf(map: ReadonlyMap<string, number>, value: string): number | undefined {
  const stored = map.get(value);
  return stored === undefined ? undefined : stored < 0 ? ~stored : stored;
}

/** Names by the time of their first purchase, then by name (code points): never the order met. */
export function listByFirstPurchase(map: ReadonlyMap<string, number>): string[] {
  return [...map]
    .sort(([a, at], [b, bt]) => (at !== bt ? at - bt : a < b ? -1 : a > b ? 1 : 0))
    .map(([name]) => name);
}

/** Records that customer `c` bought `name` at `time`: the time of the first purchase is kept. */
export function addFirstPurchase(
  column: (Map<string, number> | undefined)[],
  c: number,
  name: string,
  time: number,
): void {
  const map = (column[c] ??= new Map());
  const known = map.get(name);
  if (known === undefined || time < known) map.set(name, time);
}
