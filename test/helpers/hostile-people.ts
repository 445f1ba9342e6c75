/**
 * Test helper: small seeded shops whose contacts, events and lists cells are hostile (for the SQL
 * staging's differential test, test/sql-staging-people.test.ts): ids with apostrophes and `.0`,
 * emails in every case and outside ASCII, phones national, international, rounded by a
 * spreadsheet, invalid, landlines; country codes and names; dates in every form (timestamps with
 * offsets, impossible, unreadable, before 1970, after as_of, day/month order from `date_order:`);
 * consent words known and unknown; tags and lists cells with repeats and empty parts; custom
 * columns; quoted line breaks (line numbers), short rows, no-break spaces; events without type or
 * date; lists without a name; a contacts header with several sources for one column (`columns:`);
 * WooCommerce customers whose names are parts of one `Name` column.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Rng, chance, mulberry32 as random, pick } from "./seeded.js";

function csv(rows: string[][]): string {
  return `${rows
    .map((row) =>
      row.map((c) => (/[",\n\r;]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(","),
    )
    .join("\r\n")}\r\n`;
}

const IDS = ["c1", " 'c2 ", "17850.0", "c3", "'", "C1", "c4\u00a0"];
const EMAILS = [
  "a@example.com",
  " A@Example.COM ",
  "b@example.com",
  "bad@",
  "ÉMILE@exämple.com",
  "émile@exämple.com",
  "x@y.1",
  "'c@example.com",
  "d@example.com\u00a0",
];
const PHONES = [
  "+33 6 12 34 56 78",
  "06 12 34 56 78",
  "9.23225E+11",
  "12",
  "0044 20 7946 0958",
  "'+1 202 555 0143",
  "+33 1 23 45 67 89",
  "(202) 555-0143",
  "0470 12 34 56",
];
const COUNTRIES = ["FR", "France", "US", "", "Belgique", "zz", "BE", " fr "];
const CONSENTS = ["yes", "no", "Y", "maybe", " TRUE ", "", "", "opt-in", "0", "'yes", "Non", "x"];
const TAGS = ["vip, gold;vip", "", " ; ", "a;b;c", "VIP", " b2b ,, b2b"];

function identity(r: Rng): [string, string, string] {
  const id = chance(r, 0.4) ? pick(r, IDS) : "";
  const email = chance(r, 0.6) ? pick(r, EMAILS) : "";
  const phone = chance(r, 0.45) ? pick(r, PHONES) : "";
  return chance(r, 0.08) ? ["", "", ""] : [id, email, phone];
}

function date(r: Rng, numeric: boolean): string {
  const forms = [
    "2026-01-05",
    "2026-01-05T23:30:00Z",
    "2026-03-29 01:30:00+02:00",
    "20260105",
    "2026/1/5",
    "someday",
    "",
    "1965-03-01",
    "1969-12-31T23:00:00-02:00",
    "2027-01-01",
    " 2026-02-30 ",
    "'2026-03-01",
    "2026-06-30T23:59:59-10:00",
    "2026-05-01 25:00",
    "2026-03-29T00:30:00Z",
    "2025-12-31T23:59:59Z",
    "1971-01-01T03:00:00Z",
    "2026-02-29T10:00:00Z",
    "2026-01-05T24:00:00Z",
  ];
  if (numeric) forms.push("05/01/2026", "5.1.26", "12/31/2025 10:00 PM");
  return pick(r, forms);
}

/** Drops the last cells of a row now and then (a short row). */
function ragged(r: Rng, row: string[]): string[] {
  return chance(r, 0.08) ? row.slice(0, Math.max(1, row.length - 1 - Math.floor(r() * 3))) : row;
}

/** Writes the shop into `dir`; `numeric` puts day/month dates in (then `date_order:` is set). */
export async function writeHostilePeople(dir: string, seed: number): Promise<void> {
  const r = random(seed);
  const numeric = seed % 2 === 0;
  /** The WooCommerce preset: its customers export names people in one `Name` column. */
  const woo = seed % 4 === 1;
  const names = ["Anna", "", "\u00a0Bob ", "Zoé", "=cmd", "Ana María", "Saint\nDenis"];
  const header1 = [
    "customer_id",
    "email",
    "phone",
    "Mobile",
    "first_name",
    "last_name",
    "city",
    "country",
    "created_at",
    "email_consent",
    "sms_consent",
    "whatsapp_consent",
    "tags",
    "lists",
    "skin_type",
    "tier",
  ];
  const file1: string[][] = [header1];
  for (let i = 0; i < 30; i++)
    file1.push(
      ragged(r, [
        ...identity(r),
        chance(r, 0.3) ? pick(r, PHONES) : "",
        pick(r, names),
        pick(r, names),
        pick(r, ["Paris", "", "Saint\r\nDenis", " Lyon"]),
        pick(r, COUNTRIES),
        date(r, numeric),
        pick(r, CONSENTS),
        pick(r, CONSENTS),
        pick(r, CONSENTS),
        pick(r, TAGS),
        pick(r, TAGS),
        pick(r, ["dry", "", " oily ", "'mixed"]),
        pick(r, ["", "gold", "silver"]),
      ]),
    );
  // The second file: fewer columns, in another order; the phone from two columns (`columns:`).
  const header2 = [
    "customer_id",
    "email",
    "Mobile",
    "phone",
    "country",
    "created_at",
    "email_consent",
    "skin_type",
  ];
  const file2: string[][] = [header2];
  const wooHeader = ["ID", "Email", "Name", "first_name", "Mobile", "phone", "Country", "Sign Up"];
  const wooFile: string[][] = [wooHeader];
  for (let i = 0; i < 20; i++) {
    const [id, email, phone] = identity(r);
    wooFile.push(
      ragged(r, [
        id,
        email,
        pick(r, ["Ana María Soto", " Bob ", "0612345678", "", "Zoé Lune", "Élodie"]),
        pick(r, ["", "", "Anna"]),
        chance(r, 0.5) ? phone : "",
        chance(r, 0.5) ? pick(r, PHONES) : "",
        pick(r, COUNTRIES),
        date(r, numeric),
      ]),
    );
    file2.push(
      ragged(r, [
        id,
        email,
        chance(r, 0.5) ? phone : pick(r, ["", " "]),
        chance(r, 0.5) ? pick(r, PHONES) : "",
        pick(r, COUNTRIES),
        date(r, numeric),
        pick(r, CONSENTS),
        pick(r, ["dry", "", "normal"]),
      ]),
    );
  }
  const events: string[][] = [["customer_id", "email", "phone", "type", "occurred_at", "handled"]];
  for (let i = 0; i < 30; i++)
    events.push(
      ragged(r, [
        ...identity(r),
        pick(r, ["wa_read", "whatsapp_inbound", "", " email_open ", "\u00a0"]),
        date(r, numeric),
        pick(r, ["yes", "no", "", "maybe", " FALSE", "1", "12,50"]),
      ]),
    );
  const lists: string[][] = [["list", "customer_id", "email", "phone"]];
  for (let i = 0; i < 15; i++)
    lists.push(ragged(r, [pick(r, ["A", "", " E ", "'B", "\u00a0"]), ...identity(r)]));
  const orders = [
    ["order_id", "customer_id", "email", "created_at", "total"],
    ["1", "c1", "a@example.com", "2026-01-10", "10"],
    ["2", "", "b@example.com", "2026-02-10", "20"],
  ];

  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "contacts_1.csv"), `\ufeff${csv(file1)}`);
  await writeFile(join(dir, "contacts_2.csv"), csv(woo ? wooFile : file2));
  await writeFile(
    join(dir, "orders.csv"),
    csv(
      woo
        ? [
            ["order_id", "billing_email", "date", "order_total"],
            ...orders.slice(1).map((o) => [o[0], o[2], o[3], o[4]]),
          ]
        : orders,
    ),
  );
  await writeFile(join(dir, "events.csv"), csv(events));
  await writeFile(join(dir, "lists.csv"), csv(lists));
  await writeFile(
    join(dir, "segments.yaml"),
    [
      "segments:",
      "  handled:",
      '    where: events("whatsapp_inbound", handled: false) = 0 and props.skin_type = "dry"',
      "  read:",
      '    where: events("wa_read", handled: true) >= 1 or props.tier = "gold"',
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "audience.yaml"),
    [
      'contacts: "contacts_*.csv"',
      "orders: orders.csv",
      "events: events.csv",
      "lists: lists.csv",
      "segments: segments.yaml",
      `timezone: ${pick(r, ["UTC", "Europe/Paris", "Pacific/Kiritimati", "America/New_York"])}`,
      ...(seed % 3 === 0 ? [] : ["default_country: FR"]),
      ...(numeric ? [`date_order: ${pick(r, ["dmy", "mdy"])}`] : []),
      ...(woo ? ["preset: woocommerce"] : []),
      "as_of: 2026-06-30",
      "columns:",
      "  contacts:",
      '    phone: ["Mobile", "phone"]',
      "",
    ].join("\n"),
  );
}
