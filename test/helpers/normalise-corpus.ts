/**
 * Test helper: cell values for the normalisation differential test (test/normalise-differential
 * .test.ts), per rule of docs/design.md#inputs — real-looking spellings and hostile ones (BOM, NBSP and other
 * Unicode spaces, full-width digits, Unicode case, control characters, empty and blank cells,
 * random runs of the characters a rule reads). Seeded: the same corpus every run. No NUL
 * character: PostgreSQL text cannot hold one (nor can a CSV cell read by it).
 */

import { mulberry32 as generator } from "./seeded.js";

class Pick {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = generator(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  run(alphabet: string, min: number, max: number): string {
    const chars = [...alphabet];
    let out = "";
    for (let i = this.int(min, max); i > 0; i--) out += this.one(chars);
    return out;
  }
  digits(min: number, max: number): string {
    return this.run("0123456789", min, max);
  }
}

/** Spaces JavaScript trims and some it does not (U+200B, U+180E), controls, BOM. */
const SPACES = [
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\u00a0",
  "\u202f",
  "\u2003",
  "\u3000",
  "\ufeff",
  "\u200b",
  "\u180e",
  "\u0001",
  "\u001f",
  "\u000b",
  "\u2028",
  "\u1680",
];

/** The value with random spaces, apostrophes and BOMs around it (often none). */
function wrap(p: Pick, core: string): string {
  let out = core;
  if (p.chance(0.15)) out = `'${out}`;
  if (p.chance(0.25)) out = p.one(SPACES) + out;
  if (p.chance(0.25)) out += p.one(SPACES);
  if (p.chance(0.05)) out = `'${p.one(SPACES)}${out}`;
  return out;
}

const HOSTILE = [
  "",
  " ",
  "\u00a0",
  "\ufeff",
  "'",
  "''",
  "' ",
  "\t\n",
  "-",
  "+",
  "()",
  ".",
  ",",
  "İ",
  "\u212a",
  "ǅ",
  "ß",
  "Σ",
  "🎉",
  "１２３",
  "\u0301",
];

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function numberCore(p: Pick): string {
  const int = p.chance(0.1) ? "0" : String(p.int(0, 10 ** p.int(1, 9)));
  const frac = p.chance(0.5) ? p.digits(1, 3) : "";
  const group = (text: string, mark: string) => text.replace(/\B(?=(\d{3})+(?!\d))/g, mark);
  const style = p.int(0, 13);
  let body: string;
  if (style === 0) body = int;
  else if (style === 1) body = frac ? `${int}.${frac}` : int;
  else if (style === 2) body = frac ? `${int},${frac}` : `${int},${p.digits(3, 3)}`;
  else if (style === 3) body = `${group(int, ",")}${frac ? `.${frac}` : ""}`;
  else if (style === 4) body = `${group(int, ".")}${frac ? `,${frac}` : ""}`;
  else if (style === 5)
    body = `${group(int, p.one([" ", "\u00a0", "\u202f", "'"]))}${frac ? `${p.one([",", "."])}${frac}` : ""}`;
  else if (style === 6)
    body = `${p.digits(0, 3)}${p.one([".", ","])}${p.digits(0, 4)}${p.chance(0.5) ? `${p.one([".", ","])}${p.digits(0, 4)}` : ""}`;
  else if (style === 7) body = `${p.digits(1, 5)}${p.one([",", "."])}${p.digits(3, 3)}`;
  else if (style === 8) body = p.run("0123456789.,", 1, 12);
  else if (style === 9) body = `0${p.digits(1, 4)}${p.one(["", ".5", ",5", ",123"])}`;
  else if (style === 10)
    body = p.one([
      "1".padEnd(400, "0"),
      `0.${"0".repeat(p.int(322, 325))}${p.one(["1", "247", "2470328229206232720883", "25", "9"])}`,
      "9".repeat(309),
      "1".padEnd(309, "7"),
      `${"1".repeat(30)}.${"3".repeat(40)}`,
    ]);
  else if (style === 11) body = p.run("0123456789.,-+() '€$EURkrzł\u00a0１", 1, 10);
  else if (style === 12) body = `${p.digits(1, 2)}.${p.digits(3, 3)}.${p.digits(3, 3)}`;
  else body = `${p.digits(1, 18)}`;
  const currency = [
    "€",
    "$",
    "£",
    "¥",
    "EUR",
    "eur",
    "Usd",
    "kr",
    "KR",
    "zł",
    "ZŁ",
    "SEK",
    "chf",
    "EUR€",
    "US$",
  ];
  let text = body;
  const sign = p.int(0, 9);
  if (sign === 0) text = `-${text}`;
  else if (sign === 1) text = `(${text})`;
  else if (sign === 2) text = `${text}-`;
  else if (sign === 3) text = `+${text}`;
  else if (sign === 4) text = `-(${text})`;
  else if (sign === 5) text = `(-${text})`;
  if (p.chance(0.25))
    text = `${p.one(currency)}${p.one(["", " ", "\u00a0"])}${p.chance(0.2) ? "-" : ""}${text}`;
  if (p.chance(0.2))
    text = `${text}${p.one(["", " "])}${p.one(currency)}${p.chance(0.1) ? "-" : ""}`;
  return text;
}

const TRUE_FALSE = [
  "yes",
  "no",
  "Y",
  "n",
  "TRUE",
  "False",
  "t",
  "F",
  "1",
  "0",
  "oui",
  "Non",
  "si",
  "ja",
  "nein",
  "on",
  "OFF",
  "subscribed",
  "Unsubscribed",
  "opted_in",
  "opted-out",
  "opt in",
  "Opt-Out",
  "OptIn",
  "granted",
  "denied",
  "confirmed",
  "Pending",
  "cleaned",
  "bounced",
  "none",
  "NULL",
  "-",
  "single opt-in",
  "double_opt_in",
  "Confirmed Opt In",
  "never subscribed",
  "not_subscribed",
  "revo\u212aed",
  "s\u0130",
  "ye s",
  "yes\u00a0",
  "opt\u3000in",
  "opt\u00a0-\u00a0in",
  "maybe",
  "2",
  "vrai",
  "ｙｅｓ",
  "YES!",
  "o",
  "O",
  "declined",
];

/** The word with random letters in upper case. */
function recase(p: Pick, word: string): string {
  return [...word].map((c) => (p.chance(0.5) ? c.toUpperCase() : c)).join("");
}

function booleanCore(p: Pick): string {
  if (p.chance(0.8)) {
    let word = p.one(TRUE_FALSE);
    if (p.chance(0.6)) word = recase(p, word);
    if (p.chance(0.3))
      word = word.replace(/[ _-]/g, () => p.one([" ", "_", "-", "\u00a0", " - ", "\t", "__"]));
    return word;
  }
  return p.run("yesnotrufalOPTIN_- \u00a0\u212a", 1, 8);
}

function emailCore(p: Pick): string {
  const names = [
    "anna",
    "Jean.Dupont",
    "o'brien",
    "x_y",
    "a+tag",
    "ZOË",
    "zoe\u0308",
    "müller",
    "_u",
    "9lives",
    "=cmd",
    "+33",
    "-a",
    ".dot",
    "dot.",
    "a..b",
    "İlker",
    "\u212aelvin",
    "ΣΟΦΙΑ",
    "a b",
    '"q"',
    "a@b",
    "ñ",
    "ǅemal",
    "用户",
    "a#b",
    "x".repeat(64),
    "y".repeat(65),
  ];
  const domains = [
    "example.com",
    "Example.CO.UK",
    "gmail.com",
    "mail.example",
    "localhost",
    "x.123",
    "123.com",
    "a-b.fr",
    "-ab.com",
    "ab-.com",
    "b.c",
    "münchen.de",
    "[1.2.3.4]",
    "e.x",
    `${"d".repeat(63)}.com`,
    `${"d".repeat(64)}.com`,
    "ex..com",
    "ex_ample.com",
    "ÉCOLE.fr",
    "exa mple.com",
    `${"a.".repeat(120)}com`,
    "例え.jp",
  ];
  const style = p.int(0, 9);
  if (style === 0) return p.run("abcAB.@-_+'=é1 ", 1, 14);
  if (style === 1) return `${p.one(names)}@${p.one(domains)}@${p.one(domains)}`;
  if (style === 2)
    return `${"l".repeat(p.int(60, 66))}@${"d".repeat(p.int(60, 64))}.${"e".repeat(p.int(60, 64))}.${"f".repeat(p.int(50, 63))}.com`;
  let name = p.one(names);
  if (p.chance(0.3)) name = name.toUpperCase();
  return `${name}@${p.one(domains)}`;
}

const STATUSES = [
  "paid",
  "Cancelled",
  "canceled",
  "REFUNDED",
  "voided",
  "wc-completed",
  "WC-Cancelled",
  "wc-",
  "Wc-Refunded",
  " pending ",
  "Annulé",
  "İPTAL",
  "\u212aO",
  "partially_refunded",
  "wc-wc-paid",
  "fulfilled",
  "ＰＡＩＤ",
  "STRASSE",
  "straße",
  "ΣΟΣ",
];

function dateCore(p: Pick): string {
  const year = p.chance(0.05) ? p.one([0, 1, 1900, 1969, 9999]) : p.int(1968, 2035);
  const month = p.chance(0.05) ? p.int(0, 13) : p.int(1, 12);
  const day = p.chance(0.05) ? p.int(0, 32) : p.int(1, 31);
  const pad = (v: number, w = 2) => String(v).padStart(w, "0");
  const m = p.chance(0.8) ? pad(month) : String(month);
  const d = p.chance(0.8) ? pad(day) : String(day);
  const hour = p.chance(0.05) ? p.int(0, 25) : p.int(0, 23);
  const minute = p.chance(0.03) ? 60 : p.int(0, 59);
  const second = p.chance(0.03) ? p.one([60, 61]) : p.int(0, 59);
  const zones = [
    "Z",
    "z",
    "UTC",
    "gmt",
    "+02:00",
    "+0200",
    "+02",
    "-0430",
    "-04:30",
    "+05:45",
    "+1300",
    "-1200",
    "+1900",
    "+0260",
    "+14:00",
    "-00:00",
  ];
  const time = () => {
    let t = `${p.chance(0.9) ? pad(hour) : String(hour)}:${pad(minute)}`;
    if (p.chance(0.8)) t += `:${pad(second)}`;
    if (p.chance(0.15)) t += `${p.one([".", ","])}${p.digits(1, 6)}`;
    return t;
  };
  const style = p.int(0, 9);
  const y4 = pad(year, 4);
  let text: string;
  if (style <= 3) {
    const sep = p.one(["-", "-", "/", "."]);
    text = `${y4}${sep}${m}${sep}${d}`;
    if (style >= 1) text += `${p.one(["T", "t", " ", "  ", "\u00a0", "\t"])}${time()}`;
    if (style >= 2) text += `${p.one(["", " ", "  "])}${p.one(zones)}`;
  } else if (style === 4) {
    text = `${y4}${pad(month)}${pad(day)}${p.chance(0.3) ? `T${time()}${p.one(["", ...zones])}` : ""}`;
  } else if (style <= 7) {
    const sep = p.one(["/", "-", "."]);
    const yy = p.chance(0.3) ? pad(year % 100) : y4;
    text = `${d}${sep}${m}${sep}${yy}`;
    if (style >= 6) {
      const h12 = p.int(0, 13);
      text += p.chance(0.5)
        ? ` ${time()}`
        : ` ${h12}:${pad(minute)}${p.one([" ", ""])}${p.one(["AM", "pm", "Pm", "am"])}`;
    }
    if (style === 7) text += ` ${p.one(zones)}`;
  } else if (style === 8) {
    text = p.run("0123456789-/.: TZ+", 4, 22);
  } else {
    text = p.one([
      `${y4}-${m}-${d}T${time()}${p.one(zones)}`,
      `${y4}-${m}-${d} ${time()} ${p.one(zones)}`,
      `${y4}-${m}-${d}`,
      "２０２４-０５-０１",
      "2024-05-01T10:20:30+02:00:00",
      "2024-05-01T10:20:30 +02 00",
      "2024-5-1",
      "24-05-01",
      "2024-05-01T",
      "2024-03-31T01:30:00Z",
      "2024-10-27T00:59:59Z",
      "2024-10-27T01:00:00Z",
      "2024-03-10T06:59:59Z",
      "2024-03-10T07:00:00Z",
      "2024-04-06T14:59:59Z",
      "2024-04-06T15:00:00Z",
    ]);
  }
  return text;
}

export type CorpusRule = "number" | "boolean" | "email" | "status" | "cell" | "multi" | "date";

/** The edges of the common date forms (normalise.ts `commonDay`): 1970, leap days, :60, zones. */
const COMMON_DATES = [
  "1970-01-01",
  "1969-12-31",
  "1970-01-01 00:00:00",
  "1970-01-01T00:00:00Z",
  "1970-01-01T23:59:59Z",
  "1970-01-02T01:00:00+05:00",
  "1971-01-01T00:00:00Z",
  "1971-01-01T02:00:00+14:00",
  "2000-02-29",
  "1900-02-29",
  "2023-02-29 12:00:00",
  "2024-02-29T23:59:59Z",
  "2024-06-30T23:59:60+02:00",
  "2024-06-30T23:59:60Z",
  "2024-06-30 23:59:60",
  "2024-12-31T23:30:00-18:00",
  "2024-12-31T23:30:00+18:59",
  "2024-12-31T23:30:00+19:00",
  "2024-12-31T23:30:00+10:60",
  "2024-12-31T24:00:00Z",
  "2024-12-31 23:60:00",
  "2024-04-31",
  "2024-00-10",
  "2024-13-01",
  "2024-01-00",
  "2024-01-32",
  "9999-12-31T23:59:59Z",
  "0000-01-01",
  "2024-05-01t10:20:30Z",
  "2024-05-01T10:20:30z",
  "2024-05-01T10:20:30-00:00",
  "2024-10-27T02:30:00+01:00",
];

/** `count` values for `rule` (fewer when some repeat), with the hostile constants first. */
export function normaliseCorpus(rule: CorpusRule, count: number, seed = 14): string[] {
  const p = new Pick(seed + rule.length * 7919 + rule.charCodeAt(0));
  const values = [...HOSTILE, ...(rule === "date" ? COMMON_DATES : [])];
  const core: Record<CorpusRule, () => string> = {
    number: () => numberCore(p),
    boolean: () => booleanCore(p),
    email: () => emailCore(p),
    status: () =>
      p.chance(0.8)
        ? `${p.chance(0.3) ? p.one(["wc-", "WC-", "Wc-", "wc-wc-"]) : ""}${recase(p, p.one(STATUSES))}${p.chance(0.2) ? p.one(SPACES) : ""}`
        : p.run("wc-ANNULÉéİi\u212ak ", 1, 8),
    cell: () =>
      p.one([
        numberCore(p),
        emailCore(p),
        p.run("ab 1.0'\u00a0\u2003\ufeff\u0001\t", 0, 8),
        `${p.digits(1, 6)}.0`,
        `${p.digits(1, 6)}.00`,
        "17850.0",
      ]),
    multi: () =>
      Array.from({ length: p.int(0, 5) }, () =>
        p.one([
          "vip",
          "VIP",
          " vip ",
          "",
          "b2b",
          "\u00a0new\u00a0",
          "\ufeffvip",
          "a b",
          "é",
          "x\u2003",
          "\u200bzw",
        ]),
      ).join(p.one([",", ";", ", ", " ;", ",,"])),
    date: () => dateCore(p),
  };
  while (values.length < count * 1.3) values.push(wrap(p, core[rule]()));
  return unique(values.filter((v) => !v.includes("\u0000"))).slice(0, Math.max(count, 0));
}
