/**
 * Output profiles (docs/design.md#outputs): each profile's header and a sample row, brevo's `;`, meta/google-ads
 * hashing against SHA-256 computed here from the normalized text, CSV injection, csvLine quoting.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { day, loadShop, type Shop } from "../../test/helpers/shop.js";
import type { OutputFormat } from "./definition.js";
import {
  csvLine,
  extraColumns,
  formatColumnValue,
  identifiersFor,
  normalizeName,
  OUTPUT_PROFILES,
  protectText,
  rowMaker,
} from "./output-profiles.js";

const hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const CONTACTS = [
  "customer_id,email,phone,first_name,last_name,country,zip,city,state,email_consent,sms_consent,Note",
  // Marie: every identifier, spaces and capitals to normalize, consent to both channels; her
  // country as a name, which Google and Meta want as an ISO code.
  "c1, Marie.Dupont@Example.com ,06 39 98 00 01,Marie-Anne,D'Arc Dupont,France,75011,Saint-Denis,IDF,yes,yes,-x",
  // Formula-looking names and a phone number typed into a name.
  "c2,eve@example.com,+33639980002,=cmd|' /C calc'!A0,+33639980002,BE,@x,,,yes,no,=1+1",
  // Email only, no consent, a country no table knows.
  "c3,no-consent@example.com,,Paul,,Atlantis,,,,no,no,",
  // Phone only, SMS consent. (Cells are trimmed when read, so a name never starts with a tab.)
  "c4,,06 39 98 00 04,\tZoé ,Petit,,,,,,yes,",
  // A US customer: Meta wants the 5-digit zip, the state code lowercase.
  "c5,us@example.com,+1 201 555 0123,Ann,Lee,United States,07030-1234,Hoboken,NJ,yes,yes,",
].join("\n");

let shop: Shop;
const index = new Map<string, number>();

beforeAll(async () => {
  shop = await loadShop({
    config: "default_country: FR",
    contacts: CONTACTS,
    orders: "order_id,customer_id,created_at,total\n1,c1,2026-06-01,10.005\n",
    segments: "segments:\n  all:\n    where: known_contact\n    columns: [props.note]\n",
  });
  const { profiles } = shop.data;
  for (let c = 0; c < profiles.size; c++) index.set(profiles.store.key(c), c);
});

function customer(key: string): number {
  const c = index.get(key);
  if (c === undefined) throw new Error(`no customer ${key}`);
  return c;
}

/** The identity cells of a customer in a format, reachable on `channel`. */
function row(
  format: OutputFormat,
  key: string,
  channel: "email" | "sms" | "any" | "none" = "none",
  hash = false,
): string[] {
  const { profiles } = shop.data;
  const maker = rowMaker(profiles, format, hash);
  const c = customer(key);
  return maker.identity(c, identifiersFor(profiles, c, channel, false));
}

describe("profiles", () => {
  it("has the header and delimiter of each destination", () => {
    const { profiles } = shop.data;
    const headers = Object.fromEntries(
      (Object.keys(OUTPUT_PROFILES) as OutputFormat[]).map((f) => {
        const maker = rowMaker(profiles, f, false);
        return [f, csvLine(maker.header, maker.delimiter)];
      }),
    );
    expect(headers).toEqual({
      generic: "customer_id,email,phone,first_name,last_name\r\n",
      klaviyo: "Email,Phone Number,First Name,Last Name\r\n",
      mailchimp: "Email Address,First Name,Last Name,Phone Number\r\n",
      brevo: "EMAIL;SMS;FIRSTNAME;LASTNAME\r\n",
      meta: "email,phone,fn,ln,zip,ct,st,country\r\n",
      "google-ads": "Email,Phone,First Name,Last Name,Country,Zip\r\n",
    });
    expect(
      (Object.keys(OUTPUT_PROFILES) as OutputFormat[]).filter((f) => OUTPUT_PROFILES[f].hashable),
    ).toEqual(["meta", "google-ads"]);
  });

  it("writes a sample row in each profile: email trimmed and lowercased, phone in E.164", () => {
    const line = (format: OutputFormat) =>
      csvLine(row(format, "c1"), OUTPUT_PROFILES[format].delimiter);
    expect(line("generic")).toBe(
      "c1,marie.dupont@example.com,+33639980001,Marie-Anne,D'Arc Dupont\r\n",
    );
    expect(line("klaviyo")).toBe(
      "marie.dupont@example.com,+33639980001,Marie-Anne,D'Arc Dupont\r\n",
    );
    expect(line("mailchimp")).toBe(
      "marie.dupont@example.com,Marie-Anne,D'Arc Dupont,+33639980001\r\n",
    );
    expect(line("brevo")).toBe("marie.dupont@example.com;+33639980001;Marie-Anne;D'Arc Dupont\r\n");
    expect(line("meta")).toBe(
      "marie.dupont@example.com,+33639980001,Marie-Anne,D'Arc Dupont,75011,Saint-Denis,IDF,fr\r\n",
    );
    expect(line("google-ads")).toBe(
      "marie.dupont@example.com,+33639980001,Marie-Anne,D'Arc Dupont,FR,75011\r\n",
    );
  });

  it("writes only the identifiers of the channel that reaches the member", () => {
    expect(row("generic", "c1", "email")).toEqual([
      "c1",
      "marie.dupont@example.com",
      "",
      "Marie-Anne",
      "D'Arc Dupont",
    ]);
    expect(row("generic", "c1", "sms").slice(1, 3)).toEqual(["", "+33639980001"]);
    // any: each identifier only with its consent (c2 said no to SMS, c3 no to both).
    expect(row("generic", "c1", "any").slice(1, 3)).toEqual([
      "marie.dupont@example.com",
      "+33639980001",
    ]);
    expect(row("generic", "c2", "any").slice(1, 3)).toEqual(["eve@example.com", ""]);
    expect(row("generic", "c3", "any").slice(1, 3)).toEqual(["", ""]);
    const { profiles } = shop.data;
    expect(identifiersFor(profiles, customer("c3"), "any", true)).toEqual({
      email: "no-consent@example.com",
      phone: undefined,
    });
    expect(row("generic", "c4", "none").slice(1, 3)).toEqual(["", "+33639980004"]);
  });
});

describe("hashing (--hash)", () => {
  it("meta: SHA-256 of the trimmed lowercase email, the phone digits without +, names without case, spaces or punctuation, the country lowercase", () => {
    // Normalized strings, written out: what Meta's Custom Audience guide asks for.
    expect(row("meta", "c1", "none", true)).toEqual([
      hex("marie.dupont@example.com"),
      hex("33639980001"),
      hex("marieanne"),
      hex("darcdupont"),
      hex("75011"),
      hex("saintdenis"),
      hex("idf"),
      hex("fr"),
    ]);
    expect(row("meta", "c5", "none", true).slice(4)).toEqual([
      hex("07030"),
      hex("hoboken"),
      hex("nj"),
      hex("us"),
    ]);
    expect(hex("marie.dupont@example.com")).toBe(
      createHash("sha256").update("marie.dupont@example.com").digest("hex"),
    );
    // Absent values stay empty, never the hash of "".
    expect(row("meta", "c4", "none", true)).toEqual([
      "",
      hex("33639980004"),
      hex("zoé"),
      hex("petit"),
      "",
      "",
      "",
      "",
    ]);
  });

  it("google-ads: SHA-256 of the email, the E.164 phone with +, lowercase trimmed names; country and zip in clear", () => {
    expect(row("google-ads", "c1", "none", true)).toEqual([
      hex("marie.dupont@example.com"),
      hex("+33639980001"),
      hex("marie-anne"),
      hex("d'arc dupont"),
      "FR",
      "75011",
    ]);
  });

  it("writes an unknown country name empty and counts it, never guessed", () => {
    const unknown = new Map<string, number>();
    const { profiles } = shop.data;
    const maker = rowMaker(profiles, "google-ads", false, unknown);
    const c = customer("c3");
    expect(maker.identity(c, identifiersFor(profiles, c, "none", false))[4]).toBe("");
    expect([...unknown]).toEqual([["Atlantis", 1]]);
  });

  it("ignores --hash for profiles that do not hash", () => {
    expect(row("klaviyo", "c1", "none", true)[0]).toBe("marie.dupont@example.com");
  });

  it("normalizes names for Meta by dropping spaces, punctuation and symbols, keeping letters", () => {
    expect(normalizeName("  Marie-Anne ")).toBe("marieanne");
    expect(normalizeName("D'Arc Dupont")).toBe("darcdupont");
    expect(normalizeName("Éloïse")).toBe("éloïse");
  });
});

describe("CSV injection", () => {
  it("prefixes free text that starts like a formula with an apostrophe", () => {
    expect(
      ["=cmd", "+33612345678", "-x", "@x", "\tx", "\rx", "x=1", "", "'quoted"].map(protectText),
    ).toEqual(["'=cmd", "'+33612345678", "'-x", "'@x", "'\tx", "'\rx", "x=1", "", "'quoted"]);
  });

  it("catches a formula after leading control characters or spaces, and after the other separator", () => {
    expect(
      [
        "\u0000=cmd",
        "\u0007\u001b+1",
        "  =1+1",
        "x;=cmd",
        "x, -2",
        "a;  @SUM(1)",
        "a,b;c",
        "Bernard, née Roux",
      ].map(protectText),
    ).toEqual([
      "'\u0000=cmd",
      "'\u0007\u001b+1",
      "'  =1+1",
      "x;'=cmd",
      "x,' -2",
      "a;'  @SUM(1)",
      "a,b;c",
      "Bernard, née Roux",
    ]);
  });

  it("protects names and zips but never the E.164 phone, even when a name holds the same text", () => {
    expect(row("generic", "c2")).toEqual([
      "c2",
      "eve@example.com",
      "+33639980002",
      "'=cmd|' /C calc'!A0",
      "'+33639980002",
    ]);
    expect(row("google-ads", "c2").slice(4)).toEqual(["BE", "'@x"]);
    expect(row("generic", "c4").slice(3)).toEqual(["Zoé", "Petit"]);
    expect(csvLine(["'\tx", "'\rx"], ",")).toBe("'\tx,\"'\rx\"\r\n");
  });

  it("guards a tab- or CR-led value written as an extra column, alone or first in a list", () => {
    // Excel and LibreOffice skip a leading tab or CR and run what follows as a formula.
    expect(formatColumnValue('\t=HYPERLINK("x")', "other")).toBe('\'\t=HYPERLINK("x")');
    expect(formatColumnValue("\tplain", "other")).toBe("'\tplain");
    expect(formatColumnValue("\r=1", "other")).toBe("'\r=1");
    expect(formatColumnValue(["\tvip", "newsletter"], "other")).toBe("'\tvip, newsletter");
    // A tab at the end is harmless; a tab-led part after a separator is not: a spreadsheet that
    // splits the cell on "," sees it as a cell of its own.
    expect(formatColumnValue("vip\t", "other")).toBe("vip\t");
    expect(formatColumnValue(["vip", "\tnewsletter"], "other")).toBe("vip,' \tnewsletter");
  });

  it("protects custom properties written as extra columns", () => {
    const { profiles } = shop.data;
    const extra = extraColumns(
      profiles,
      ["props.note", "total_spent", "first_order_date"],
      new Set(["first_order_date"]),
    );
    expect(extra.header).toEqual(["note", "total_spent", "first_order_date"]);
    expect(extra.cells(customer("c1"))).toEqual(["'-x", "10.01", "2026-06-01"]);
    expect(extra.cells(customer("c2"))).toEqual(["'=1+1", "0", ""]);
    expect(shop.profile("c1").first_order_date).toBe(day("2026-06-01"));
  });
});

describe("cell values", () => {
  it("formats extra columns: dates as YYYY-MM-DD, numbers to the cent, booleans, lists, null as empty", () => {
    expect(formatColumnValue(day("2026-02-28"), "date")).toBe("2026-02-28");
    expect(formatColumnValue(12.3456, "other")).toBe("12.35");
    expect(formatColumnValue(40, "other")).toBe("40");
    expect(formatColumnValue(true, "other")).toBe("true");
    expect(formatColumnValue(false, "other")).toBe("false");
    expect(formatColumnValue(["vip", "newsletter"], "other")).toBe("vip, newsletter");
    expect(formatColumnValue(["=x", "y"], "other")).toBe("'=x, y");
    expect(formatColumnValue([], "other")).toBe("");
    expect(formatColumnValue(null, "date")).toBe("");
    expect(formatColumnValue("545", "other")).toBe("545");
  });
});

describe("csvLine", () => {
  it.each([
    [["a", "b"], ",", "a,b\r\n"],
    [["a,b", "c"], ",", '"a,b",c\r\n'],
    [['say "hi"', ""], ",", '"say ""hi""",\r\n'],
    [["two\nlines", "x"], ",", '"two\nlines",x\r\n'],
    [["cr\rhere"], ",", '"cr\rhere"\r\n'],
    [["a;b", "a,b"], ";", '"a;b";a,b\r\n'],
    [["", "", ""], ",", ",,\r\n"],
    [[" padded "], ",", " padded \r\n"],
  ] as const)("%j with %s", (fields, delimiter, expected) => {
    expect(csvLine(fields, delimiter)).toBe(expected);
  });
});
