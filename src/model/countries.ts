/**
 * Country names → ISO 3166-1 alpha-2 codes (`France`, `Deutschland`, `United States`, `USA` →
 * `FR`, `DE`, `US`), for phone numbers and for the upload profiles of Meta and Google Ads, which
 * take only codes. Names are compared without case, accents, dots and dashes. A name that is not
 * in the table, or that two countries share, has no code: it is never guessed.
 */
import { COUNTRY_NAMES } from "./country-names.js";

/** Names that exports write and the CLDR table does not have. */
const ALIASES: Record<string, string> = {
  "united states of america": "US",
  "u s a": "US",
  "u s": "US",
  america: "US",
  "great britain": "GB",
  britain: "GB",
  england: "GB",
  scotland: "GB",
  wales: "GB",
  "northern ireland": "GB",
  holland: "NL",
  "the netherlands": "NL",
  "czech republic": "CZ",
  "republique tcheque": "CZ",
  turkey: "TR",
  russia: "RU",
  "russian federation": "RU",
  "korea republic of": "KR",
  "republic of korea": "KR",
  korea: "KR",
  "viet nam": "VN",
  "hong kong": "HK",
  macau: "MO",
  "ivory coast": "CI",
  swaziland: "SZ",
  burma: "MM",
  "cape verde": "CV",
  "east timor": "TL",
  "vatican city": "VA",
  "the bahamas": "BS",
  "the gambia": "GM",
  emirates: "AE",
  uae: "AE",
};

let byName: Map<string, string> | undefined;

/** `Royaume-Uni` → `royaume uni`: the form names are compared in. */
export function countryKey(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[.,'’()\-_/]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function names(): Map<string, string> {
  if (byName !== undefined) return byName;
  const table = new Map<string, string>();
  const shared = new Set<string>();
  for (const [code, list] of Object.entries(COUNTRY_NAMES)) {
    for (const name of list) {
      const key = countryKey(name);
      // A two-letter short name (`RU` for Reino Unido) would hide the code of another country.
      if (key.length <= 2 && key.toUpperCase() !== code) continue;
      const known = table.get(key);
      if (known !== undefined && known !== code) shared.add(key);
      else table.set(key, code);
    }
  }
  for (const key of shared) table.delete(key);
  for (const [alias, code] of Object.entries(ALIASES)) table.set(alias, code);
  byName = table;
  return table;
}

/** The ISO alpha-2 code of a country code or name, or undefined when it is not known. */
export function countryCode(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed.length === 2) {
    const upper = trimmed.toUpperCase();
    if (Object.hasOwn(COUNTRY_NAMES, upper)) return upper;
    if (upper === "UK") return "GB";
  }
  const key = countryKey(trimmed);
  return names().get(key) ?? names().get(key.replace(/^the /, ""));
}
