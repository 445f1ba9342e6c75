/**
 * Contacts rows → customers. Rows with the same key merge (docs/design.md#inputs): first non-empty value per
 * field, "first" meaning the earliest signup date (`created_at`; an undated row after the dated
 * ones), then the value that sorts first as text — never the place in the file; tags and lists
 * united, in name order. Consent is the exception: when merged rows disagree, "no" wins —
 * sending to someone who said no once is the mistake that cannot be undone.
 */
import type { SinkStagingView } from "./ingest-context.js";
import { CANONICAL_COLUMNS } from "./presets.js";
import { cellReader, type CellReader } from "./columns.js";
import { ambiguousDateError, type DateParser } from "./dates.js";
import {
  findCustomer,
  missingKeyReason,
  hasNoKey,
  readKeys,
  type FileStats,
  type IngestContext,
  type RowSink,
} from "./ingest-context.js";
import {
  FROM_CONTACTS_EMAIL,
  FROM_CONTACTS_PHONE,
  own,
  type ConsentValue,
  type MatchReason,
} from "./store.js";
import { cleanCell, parseBoolean, splitMulti } from "./values.js";

const CANONICAL: ReadonlySet<string> = new Set(CANONICAL_COLUMNS.contacts);

/** The identifiers that link a row, weakest first (`ContactsSink.countMerged`). */
const REASONS: readonly MatchReason[] = ["phone", "email", "customer_id"];

/**
 * The text fields of a contact row, in the order of their ranks in `store.contactRanks`; then the
 * email and the phone (EMAIL_RANK, PHONE_RANK), then the props.
 */
const CONTACT_FIELDS = [
  "firstName",
  "lastName",
  "country",
  "city",
  "zip",
  "state",
  "contactChannel",
] as const;
const EMAIL_RANK = CONTACT_FIELDS.length;
const PHONE_RANK = CONTACT_FIELDS.length + 1;
const PROPS_RANK = CONTACT_FIELDS.length + 2;

export class ContactsSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private readonly dates: DateParser;
  private cells: Record<string, CellReader> = {};
  /** Custom columns; `rank` is the index of the prop's rank in `store.contactRanks`. */
  private props: { name: string; read: CellReader; rank: number }[] = [];
  private used = new Set<number>();
  /** Customers whose consent was contradicted by a duplicate row, counted once each. */
  private readonly conflicted = new Set<number>();
  /** The first customer this file created (customers are numbered as created). */
  private readonly firstCreated: number;
  /** Of each customer this file created (from `firstCreated`): see `createdHere`. */
  private strongest = new Uint8Array(0);

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.stats = ctx.newStats("contacts", file);
    this.dates = ctx.dateParser(false);
    this.firstCreated = ctx.store.size;
  }

  header(fields: string[]): void {
    const { bound, cells, used } = this.ctx.bindFile("contacts", this.file, fields, this.stats);
    this.cells = cells;
    this.used = used;
    const wanted = new Set(this.ctx.options.props);
    this.props = [];
    // A `columns: { contacts: { skin_type: "Type de peau" } }` entry that is not canonical names a property.
    const rankOf = (name: string) => PROPS_RANK + [...this.ctx.store.props.keys()].indexOf(name);
    for (const [name, binding] of bound.bindings) {
      if (!CANONICAL.has(name) && wanted.has(name))
        this.props.push({ name, read: cellReader(binding), rank: rankOf(name) });
    }
    for (const extra of bound.extras) {
      if (wanted.has(extra.name) && !this.props.some((p) => p.name === extra.name)) {
        used.add(extra.index);
        this.props.push({
          name: extra.name,
          read: cellReader({
            canonical: extra.name,
            sources: [{ index: extra.index, header: extra.header }],
          }),
          rank: rankOf(extra.name),
        });
      }
    }
  }

  columns(): readonly number[] {
    return [...this.used];
  }

  stagingView(): SinkStagingView {
    return {
      ctx: this.ctx,
      stats: this.stats,
      cells: this.cells,
      dates: this.dates,
      props: this.props,
    };
  }

  row(fields: string[], line: number): void {
    const { store, rejects, phones, options } = this.ctx;
    const cells = this.cells;
    this.stats.rows++;
    const keys = readKeys(
      phones,
      cells.customer_id(fields),
      cells.email(fields),
      cells.phone(fields),
      cells.country(fields),
    );
    if (hasNoKey(keys)) {
      rejects.reject(this.file, line, missingKeyReason(keys), fields);
      return;
    }
    if (keys.badEmail) rejects.warn(this.file, line, "invalid email left out");
    if (keys.phoneWarning !== undefined) rejects.warn(this.file, line, keys.phoneWarning);

    let signup = NaN;
    const createdAt = cleanCell(cells.created_at(fields));
    if (createdAt !== undefined) {
      signup = this.dates.parse(createdAt);
      if (Number.isNaN(signup) && this.dates.problem === "ambiguous day/month order") {
        throw ambiguousDateError(this.file, line, createdAt);
      }
      if (Number.isNaN(signup)) {
        rejects.warn(
          this.file,
          line,
          `${this.dates.problem} in created_at, signup date left empty`,
          createdAt.slice(0, 40),
        );
      } else if (signup > options.asOf) {
        // Point in time: on as_of this contact did not exist yet.
        this.stats.afterAsOf++;
        return;
      }
    }

    let c = findCustomer(store, keys);
    const merging = c >= 0;
    if (merging) {
      this.stats.merged++;
      this.countMerged(c, keys.id !== undefined ? 2 : keys.email !== undefined ? 1 : 0);
      store.knownContact[c] = 1;
    } else {
      c = store.create(true);
      this.stats.created++;
      this.createdHere(c, keys.id !== undefined ? 2 : keys.email !== undefined ? 1 : 0);
    }

    // Merged rows: each field from the row of lowest rank that has it (module comment); the
    // email and phone too, before `attach` indexes them.
    const rank = Number.isNaN(signup) ? Infinity : signup;
    const ranks = merging ? this.ranksOf(c) : undefined;
    if (keys.email !== undefined) {
      mergeField(store.email, c, keys.email, rank, ranks, EMAIL_RANK, own);
      store.keysFromContacts[c] |= FROM_CONTACTS_EMAIL;
    }
    if (keys.phone !== undefined) {
      mergeField(store.phone, c, keys.phone, rank, ranks, PHONE_RANK, own);
      store.keysFromContacts[c] |= FROM_CONTACTS_PHONE;
    }
    store.attach(c, keys.id, keys.email, keys.phone);
    if (store.keptApart(c, keys.id, keys.email, keys.phone)) this.stats.keptApart++;
    const texts = [
      cells.first_name(fields),
      cells.last_name(fields),
      cells.country(fields),
      cells.city(fields),
      cells.zip(fields),
      cells.state(fields),
      cells.acquisition_channel(fields),
    ];
    CONTACT_FIELDS.forEach((name, i) => {
      const value = store.strings.intern(cleanCell(texts[i]));
      mergeField(store[name], c, value, rank, ranks, i);
    });
    if (!Number.isNaN(signup) && !(store.signupDay[c] <= signup)) store.signupDay[c] = signup;

    this.consent(store.emailConsent, c, cells.email_consent(fields), "email_consent", line);
    this.consent(store.smsConsent, c, cells.sms_consent(fields), "sms_consent", line);
    this.consent(
      store.whatsappConsent,
      c,
      cells.whatsapp_consent(fields),
      "whatsapp_consent",
      line,
    );

    store.addTags(c, splitMulti(cells.tags(fields)));
    for (const list of splitMulti(cells.lists(fields))) store.addToList(c, list);
    for (const prop of this.props) {
      const column = store.props.get(prop.name);
      const value = cleanCell(prop.read(fields));
      if (column !== undefined && value !== undefined)
        mergeField(column, c, value, rank, ranks, prop.rank, own);
    }
  }

  /**
   * A customer this file created: the identifier of its row (a `REASONS` index) is the strongest
   * of its rows here so far, the one not counted as merged.
   */
  private createdHere(c: number, reason: number): void {
    const at = c - this.firstCreated;
    if (at >= this.strongest.length) {
      const next = new Uint8Array(Math.max(1024, this.strongest.length * 2));
      next.set(this.strongest);
      this.strongest = next;
    }
    this.strongest[at] = reason;
  }

  /**
   * Counts a merged row by its own identifier (`mergedBy`): its customer_id, else its email, else
   * its phone, the rule that links it (docs/design.md#inputs). Of the rows of a customer this
   * file created, the one with the strongest identifier (customer_id, then email, then phone) is
   * the one not counted, whichever came first: the counts do not depend on row order.
   */
  private countMerged(c: number, reason: number): void {
    const at = c - this.firstCreated;
    let counted = reason;
    if (at >= 0 && this.strongest[at] < reason) {
      counted = this.strongest[at];
      this.strongest[at] = reason;
    }
    this.stats.mergedBy[REASONS[counted]]++;
  }

  /**
   * The ranks of a customer's fields, made at its second contact row: until then every field
   * came from its one row, whose rank is its signup day (read before this row changes it).
   */
  private ranksOf(c: number): Float64Array {
    const store = this.ctx.store;
    let ranks = store.contactRanks.get(c);
    if (ranks === undefined) {
      const day = store.signupDay[c];
      ranks = new Float64Array(PROPS_RANK + store.props.size).fill(
        Number.isNaN(day) ? Infinity : day,
      );
      store.contactRanks.set(c, ranks);
    }
    return ranks;
  }

  private consent(
    column: Int8Array,
    c: number,
    raw: string | undefined,
    name: string,
    line: number,
  ): void {
    if (raw === undefined || raw.trim() === "") return;
    let value = parseBoolean(raw);
    if (value === undefined) {
      this.ctx.rejects.warn(
        this.file,
        line,
        `unrecognised ${name} value, read as no`,
        raw.trim().slice(0, 30),
      );
      value = false;
    }
    const v: ConsentValue = value ? 1 : 0;
    const current = column[c];
    if (current === -1) {
      column[c] = v;
    } else if (current !== v) {
      column[c] = 0;
      if (!this.conflicted.has(c)) {
        this.conflicted.add(c);
        this.ctx.rejects.warn(
          this.file,
          line,
          "duplicate contact rows disagree on consent; kept no",
        );
      }
    }
  }
}

/**
 * Keeps `value` for customer `c` when the field is empty, or when the row's rank is lower than the
 * rank of the row the field came from, or equal with a value that sorts first (code points).
 * `ranks` is undefined for a customer's first row. `keep` copies the value that is kept.
 */
function mergeField(
  column: (string | undefined)[],
  c: number,
  value: string | undefined,
  rank: number,
  ranks: Float64Array | undefined,
  i: number,
  keep: (v: string) => string = (v) => v,
): void {
  if (value === undefined) return;
  const current = column[c];
  if (current !== undefined) {
    if (ranks === undefined) return;
    if (rank > ranks[i] || (rank === ranks[i] && value >= current)) return;
  }
  column[c] = keep(value);
  if (ranks !== undefined) ranks[i] = rank;
}
