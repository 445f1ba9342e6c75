/**
 * Phone numbers to E.164 with libphonenumber-js: `06 12 34 56 78` with default country FR →
 * `+33612345678`. Results are memoised, because the same number arrives from contacts, orders and
 * events in different spellings.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

export class PhoneNormalizer {
  private readonly country: CountryCode | undefined;
  private readonly cache = new Map<string, string | null>();

  constructor(defaultCountry: string | undefined) {
    this.country =
      defaultCountry === undefined ? undefined : (defaultCountry.toUpperCase() as CountryCode);
  }

  /** E.164 (`+33612345678`), or undefined when the text is not a valid phone number. */
  toE164(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const key = compactPhone(text);
    if (key === "") return undefined;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const e164 = this.parse(key);
    if (this.cache.size > 2_000_000) this.cache.clear();
    this.cache.set(key, e164 ?? null);
    return e164;
  }

  private parse(compact: string): string | undefined {
    // `0033…` is the international prefix written out; libphonenumber wants `+33…`.
    const text = compact.startsWith("00") ? `+${compact.slice(2)}` : compact;
    try {
      const parsed = parsePhoneNumberFromString(text, this.country);
      if (parsed === undefined || !parsed.isValid()) return undefined;
      return parsed.number;
    } catch {
      return undefined;
    }
  }
}

/**
 * The digits of a phone (and a leading `+`), without the apostrophe, spaces, dots, dashes and
 * brackets people write. `+33 (0)6 12…` keeps its digits; libphonenumber drops the trunk `0`.
 */
export function compactPhone(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) out += text[i];
    else if (c === 43 /* + */ && out === "") out = "+";
    else if (c >= 65 && c <= 122) {
      // Letters: an extension (`x123`, `ext. 12`) ends the number; anything else spoils it.
      const rest = text.slice(i).toLowerCase();
      if (rest.startsWith("x") || rest.startsWith("ext")) break;
      return "";
    }
  }
  // `+33 (0)6…`: the bracketed trunk prefix must go before validation.
  if (/\(0\)/.test(text) && out.startsWith("+")) {
    const cc = text.indexOf("(0)");
    const before = compactDigits(text.slice(0, cc));
    if (out.startsWith(`${before}0`)) out = before + out.slice(before.length + 1);
  }
  return out;
}

function compactDigits(text: string): string {
  let out = "";
  for (const ch of text) {
    if ((ch >= "0" && ch <= "9") || (ch === "+" && out === "")) out += ch;
  }
  return out;
}
