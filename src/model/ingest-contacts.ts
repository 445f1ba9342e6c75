/**
 * Contacts rows → customers. Rows with the same key merge (docs/design.md#inputs): first non-empty value per
 * field, tags and lists united. Consent is the exception: when merged rows disagree, "no" wins —
 * sending to someone who said no once is the mistake that cannot be undone.
 */
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
import { own, type ConsentValue } from "./store.js";
import { cleanCell, parseBoolean, splitMulti } from "./values.js";

const CANONICAL: ReadonlySet<string> = new Set(CANONICAL_COLUMNS.contacts);

export class ContactsSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private readonly dates: DateParser;
  private cells: Record<string, CellReader> = {};
  private props: { name: string; read: CellReader }[] = [];
  private used = new Set<number>();
  /** Customers whose consent was contradicted by a duplicate row, counted once each. */
  private readonly conflicted = new Set<number>();

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.stats = ctx.newStats("contacts", file);
    this.dates = ctx.dateParser(false);
  }

  header(fields: string[]): void {
    const { bound, cells, used } = this.ctx.bindFile("contacts", this.file, fields, this.stats);
    this.cells = cells;
    this.used = used;
    const wanted = new Set(this.ctx.options.props);
    this.props = [];
    // A `columns: { contacts: { skin_type: "Type de peau" } }` entry that is not canonical names a property.
    for (const [name, binding] of bound.bindings) {
      if (!CANONICAL.has(name) && wanted.has(name))
        this.props.push({ name, read: cellReader(binding) });
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
        });
      }
    }
  }

  columns(): readonly number[] {
    return [...this.used];
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
    if (store.lastKeptApart) this.stats.keptApart++;
    const merging = c >= 0;
    if (merging) {
      this.stats.merged++;
      this.stats.mergedBy[store.lastMatch]++;
      store.knownContact[c] = 1;
    } else {
      c = store.create(true);
      this.stats.created++;
    }
    store.attach(c, keys.id, keys.email, keys.phone);

    setFirst(store.firstName, c, store.strings.intern(cleanCell(cells.first_name(fields))));
    setFirst(store.lastName, c, store.strings.intern(cleanCell(cells.last_name(fields))));
    setFirst(store.country, c, store.strings.intern(cleanCell(cells.country(fields))));
    setFirst(store.city, c, store.strings.intern(cleanCell(cells.city(fields))));
    setFirst(store.zip, c, store.strings.intern(cleanCell(cells.zip(fields))));
    setFirst(store.state, c, store.strings.intern(cleanCell(cells.state(fields))));
    setFirst(
      store.contactChannel,
      c,
      store.strings.intern(cleanCell(cells.acquisition_channel(fields))),
    );
    if (!Number.isNaN(signup) && Number.isNaN(store.signupDay[c])) store.signupDay[c] = signup;

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
      if (column !== undefined && column[c] === undefined) {
        const value = cleanCell(prop.read(fields));
        column[c] = value === undefined ? undefined : own(value);
      }
    }
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

function setFirst(column: (string | undefined)[], c: number, value: string | undefined): void {
  if (value !== undefined && column[c] === undefined) column[c] = value;
}
