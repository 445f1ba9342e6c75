/**
 * The output profiles of docs/design.md#outputs: for each upload destination, its header, delimiter and how each
 * cell is made. Rows are plain string arrays; `io/output-transaction.ts` writes them.
 *
 * - Identifiers (validated email, E.164 phone, hashes) are written as they are.
 * - Free text (names, products, custom properties) that starts with `=`, `+`, `-`, `@`, tab or CR
 *   gets a leading `'`, so a spreadsheet never runs it as a formula (CSV injection).
 * - Only the identifiers of the channel the member is reachable on are written: an email segment
 *   does not carry phone numbers of people who never agreed to SMS, and vice versa.
 */
import { createHash } from "node:crypto";
import { formatDay } from "../calendar.js";
import type { Getter, Value } from "../dsl/evaluator.js";
import { countryCode } from "../model/countries.js";
import type { Profiles } from "../model/profile.js";
import type { Channel, OutputFormat } from "./definition.js";

export interface OutputProfile {
  format: OutputFormat;
  delimiter: "," | ";";
  /** Header of the identity columns, before the segment's extra columns. */
  header: readonly string[];
  /** Whether `--hash` applies. */
  hashable: boolean;
}

export const OUTPUT_PROFILES: Record<OutputFormat, OutputProfile> = {
  generic: {
    format: "generic",
    delimiter: ",",
    header: ["customer_id", "email", "phone", "first_name", "last_name"],
    hashable: false,
  },
  klaviyo: {
    format: "klaviyo",
    delimiter: ",",
    header: ["Email", "Phone Number", "First Name", "Last Name"],
    hashable: false,
  },
  mailchimp: {
    format: "mailchimp",
    delimiter: ",",
    header: ["Email Address", "First Name", "Last Name", "Phone Number"],
    hashable: false,
  },
  brevo: {
    format: "brevo",
    delimiter: ";",
    header: ["EMAIL", "SMS", "FIRSTNAME", "LASTNAME"],
    hashable: false,
  },
  meta: {
    format: "meta",
    delimiter: ",",
    // Meta's customer list keys (Ads Manager → Custom audience → Customer list).
    header: ["email", "phone", "fn", "ln", "zip", "ct", "st", "country"],
    hashable: true,
  },
  "google-ads": {
    format: "google-ads",
    delimiter: ",",
    header: ["Email", "Phone", "First Name", "Last Name", "Country", "Zip"],
    hashable: true,
  },
};

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

const FORMULA_START = new Set(["=", "+", "-", "@", "\t", "\r"]);

/**
 * Where a spreadsheet could start reading a formula: the start of the cell, and the start of each
 * piece after a `,` or `;` (a file written with one separator may be opened splitting on the
 * other), each after any run of spaces and control characters (NUL included) that the
 * spreadsheet may drop.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this guard looks for
const FORMULA_PIECE = /(^|[,;])([\s\x00-\x1f\x7f]*)(?=[=+\-@\t\r])/g;
const MAYBE_FORMULA = /[=+\-@\t\r]/;

/**
 * CSV-injection guard for free text: a cell that starts like a formula (`=`, `+`, `-`, `@`, tab, CR,
 * also after leading spaces or control characters) gets a leading `'`; so does each piece after a
 * `,` or `;` that would start like one.
 */
export function protectText(text: string): string {
  if (text.length === 0) return text;
  if (FORMULA_START.has(text[0])) {
    if (!MAYBE_FORMULA.test(text.slice(1))) return `'${text}`;
  } else if (!MAYBE_FORMULA.test(text)) {
    return text;
  }
  return text.replace(FORMULA_PIECE, "$1'$2");
}

/** A name as Meta and Google want it before hashing: trimmed, lowercase, no punctuation. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, "");
}

/** How an extra column's value is written. */
export function formatColumnValue(value: Value, type: "date" | "other"): string {
  if (value === null) return "";
  if (type === "date" && typeof value === "number") return formatDay(value);
  if (typeof value === "number") return String(Math.round(value * 100) / 100);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return protectText(value);
  if (Array.isArray(value)) return protectText(value.map((v) => String(v)).join(", "));
  return "";
}

/** The identifiers a member is written with, given the channel that reaches them. */
export interface Identifiers {
  email: string | undefined;
  phone: string | undefined;
}

export function identifiersFor(
  profiles: Profiles,
  c: number,
  channel: Channel,
  ignoreConsent: boolean,
): Identifiers {
  const s = profiles.store;
  const email = s.email[c];
  const phone = s.phone[c];
  switch (channel) {
    case "email":
      return { email, phone: undefined };
    case "sms":
    case "whatsapp":
      return { email: undefined, phone };
    case "any":
      return {
        email:
          email !== undefined && (ignoreConsent || s.emailConsent[c] === 1) ? email : undefined,
        phone:
          phone !== undefined && s.cannotText[c] === 0 && (ignoreConsent || s.smsConsent[c] === 1)
            ? phone
            : undefined,
      };
    case "none":
      return { email, phone };
    default: {
      const never: never = channel;
      return never;
    }
  }
}

export interface RowMaker {
  header: string[];
  /**
   * Country values written empty because they are neither an ISO code nor a known name, with the
   * number of rows each (Google Ads and Meta take only codes).
   */
  unknownCountries: Map<string, number>;
  delimiter: "," | ";";
  /** The identity cells of a member (before extra columns). */
  identity(c: number, ids: Identifiers): string[];
  /**
   * The identity cells that must be unique in the file, by index in `identity`: the email cell,
   * then the phone cell. Each is a function of the customer's stored email or phone alone (the
   * same stored value gives the same cell, different ones different cells).
   */
  uniqueCells: [email: number, phone: number];
  /**
   * The identity cells a destination matches a member on, by index: the email and phone cells,
   * and customer_id in the generic profile. Changes since the previous build compare these.
   */
  keyCells: readonly number[];
}

export function rowMaker(
  profiles: Profiles,
  format: OutputFormat,
  hash: boolean,
  unknownCountries = new Map<string, number>(),
): RowMaker {
  const profile = OUTPUT_PROFILES[format];
  const s = profiles.store;
  const text = (value: string | undefined) => (value === undefined ? "" : protectText(value));
  const hashed = hash && profile.hashable;
  const h = (value: string | undefined, normalize: (v: string) => string) =>
    value === undefined || value.trim() === "" ? "" : sha256(normalize(value));
  /** The ISO alpha-2 code of the customer's country: "" (and counted) when it is unknown. */
  const iso = (c: number): string => {
    const value = s.country[c];
    if (value === undefined) return "";
    const code = countryCode(value);
    if (code !== undefined) return code;
    const shown = value.trim().slice(0, 40);
    unknownCountries.set(shown, (unknownCountries.get(shown) ?? 0) + 1);
    return "";
  };
  switch (format) {
    case "generic":
      return {
        header: [...profile.header],
        unknownCountries,
        delimiter: ",",
        identity: (c, ids) => [
          text(s.customerId[c]),
          ids.email ?? "",
          ids.phone ?? "",
          text(s.firstName[c]),
          text(s.lastName[c]),
        ],
        uniqueCells: [1, 2],
        keyCells: [0, 1, 2],
      };
    case "klaviyo":
      return {
        header: [...profile.header],
        unknownCountries,
        delimiter: ",",
        identity: (c, ids) => [
          ids.email ?? "",
          ids.phone ?? "",
          text(s.firstName[c]),
          text(s.lastName[c]),
        ],
        uniqueCells: [0, 1],
        keyCells: [0, 1],
      };
    case "mailchimp":
      return {
        header: [...profile.header],
        unknownCountries,
        delimiter: ",",
        identity: (c, ids) => [
          ids.email ?? "",
          text(s.firstName[c]),
          text(s.lastName[c]),
          ids.phone ?? "",
        ],
        uniqueCells: [0, 3],
        keyCells: [0, 3],
      };
    case "brevo":
      return {
        header: [...profile.header],
        unknownCountries,
        delimiter: ";",
        identity: (c, ids) => [
          ids.email ?? "",
          ids.phone ?? "",
          text(s.firstName[c]),
          text(s.lastName[c]),
        ],
        uniqueCells: [0, 1],
        keyCells: [0, 1],
      };
    case "meta": {
      // Hashed as Meta specifies: email trimmed and lowercase; phone digits with country code;
      // names, city and state lowercase without spaces or punctuation; zip lowercase without
      // spaces or dashes (US: 5 digits); country the lowercase ISO code.
      const zip = (c: number, v: string) =>
        iso(c) === "US" ? v.replace(/\D/g, "").slice(0, 5) : v.toLowerCase().replace(/[\s-]/g, "");
      return {
        header: [...profile.header],
        unknownCountries,
        delimiter: ",",
        identity: hashed
          ? (c, ids) => [
              h(ids.email, (v) => v.trim().toLowerCase()),
              h(ids.phone, (v) => v.replace(/\D/g, "")),
              h(s.firstName[c], normalizeName),
              h(s.lastName[c], normalizeName),
              h(s.zip[c], (v) => zip(c, v)),
              h(s.city[c], normalizeName),
              h(s.state[c], normalizeName),
              h(iso(c), (v) => v.toLowerCase()),
            ]
          : (c, ids) => [
              ids.email ?? "",
              ids.phone ?? "",
              text(s.firstName[c]),
              text(s.lastName[c]),
              text(s.zip[c]),
              text(s.city[c]),
              text(s.state[c]),
              iso(c).toLowerCase(),
            ],
        uniqueCells: [0, 1],
        keyCells: [0, 1],
      };
    }
    case "google-ads":
      // Google's Customer Match: exactly these six columns; Country and Zip are never hashed.
      return {
        header: [...profile.header],
        unknownCountries,
        delimiter: ",",
        identity: hashed
          ? (c, ids) => [
              h(ids.email, (v) => v.trim().toLowerCase()),
              h(ids.phone, (v) => v.trim()),
              h(s.firstName[c], (v) => v.trim().toLowerCase()),
              h(s.lastName[c], (v) => v.trim().toLowerCase()),
              iso(c),
              text(s.zip[c]),
            ]
          : (c, ids) => [
              ids.email ?? "",
              ids.phone ?? "",
              text(s.firstName[c]),
              text(s.lastName[c]),
              iso(c),
              text(s.zip[c]),
            ],
        uniqueCells: [0, 1],
        keyCells: [0, 1],
      };
    default: {
      const never: never = format;
      return never;
    }
  }
}

/** Extra columns that identify a person: a hashed file never carries them in clear. */
export const IDENTIFIER_COLUMNS: ReadonlySet<string> = new Set([
  "email",
  "phone",
  "first_name",
  "last_name",
]);

/**
 * The email or phone of an extra column obeys the segment's channel and consent like the identity
 * cells: an email segment writes a member's phone only when they agreed to SMS, an SMS segment
 * their email only when they agreed to email (unless `consent: ignore`).
 */
export function identifierCell(
  profiles: Profiles,
  c: number,
  column: "email" | "phone",
  reach: { channel: Channel; ignoreConsent: boolean },
): string {
  const s = profiles.store;
  const ids = identifiersFor(profiles, c, reach.channel, reach.ignoreConsent);
  if (column === "email")
    return ids.email ?? (reach.ignoreConsent || s.emailConsent[c] === 1 ? (s.email[c] ?? "") : "");
  return ids.phone ?? (reach.ignoreConsent || s.smsConsent[c] === 1 ? (s.phone[c] ?? "") : "");
}

/** Extra columns of a segment (`columns:`): header and the getter of each. */
export function extraColumns(
  profiles: Profiles,
  columns: readonly string[],
  dateFields: ReadonlySet<string>,
  reach?: { channel: Channel; ignoreConsent: boolean },
): { header: string[]; cells: (c: number) => string[] } {
  const getters: { get: Getter<number>; type: "date" | "other" }[] = columns.map((name) => ({
    get:
      reach !== undefined && (name === "email" || name === "phone")
        ? (c: number) => identifierCell(profiles, c, name, reach)
        : profiles.field(name),
    type: dateFields.has(name) ? "date" : "other",
  }));
  return {
    header: columns.map((name) => (name.startsWith("props.") ? name.slice("props.".length) : name)),
    cells: (c) => getters.map((g) => formatColumnValue(g.get(c), g.type)),
  };
}

const NEEDS_QUOTES_COMMA = /[",\r\n]/;
const NEEDS_QUOTES_SEMICOLON = /[";\r\n]/;

/** One CSV line (RFC 4180): fields quoted when they hold the delimiter, a quote, CR or LF. */
export function csvLine(fields: readonly string[], delimiter: "," | ";"): string {
  const special = delimiter === "," ? NEEDS_QUOTES_COMMA : NEEDS_QUOTES_SEMICOLON;
  let out = "";
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (i > 0) out += delimiter;
    if (special.test(field)) {
      out += `"${field.replace(/"/g, '""')}"`;
    } else {
      out += field;
    }
  }
  return `${out}\r\n`;
}
