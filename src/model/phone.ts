/**
 * Phone numbers to E.164 with libphonenumber-js: `06 12 34 56 78` with default country FR →
 * `+33612345678`. Results are memoised by the number's digits, because the same number arrives
 * from contacts, orders and events in different spellings.
 *
 * The common spellings (`+<country code><number>`, `00<country code><number>`, and the default
 * country's trunk `0` + number) of countries with simple numbering plans are checked directly
 * against libphonenumber's own metadata — the same pattern its `isValid()` uses for those
 * countries — which is several times faster than a full parse. Everything else (countries that
 * share a calling code, plans with number types or unusual trunk prefixes, odd spellings) goes
 * through the full parse. A test checks that both give the same answer on generated numbers.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { Metadata, type MetadataJson } from "libphonenumber-js/core";
import metadataJson from "libphonenumber-js/min/metadata";

interface SimplePlan {
  callingCode: string;
  nationalPrefix: string | undefined;
  pattern: RegExp;
}

const METADATA = metadataJson as unknown as MetadataJson;

/**
 * The parts of libphonenumber-js's `Metadata` class used here. They are not in its type
 * declarations, so they are declared here; the equivalence test in phone.test.ts fails if a new
 * version of the library changes them.
 */
interface NumberingPlanInternals {
  callingCode(): string;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  nationalNumberPattern(): string;
  hasTypes(): boolean;
}

interface MetadataInternals {
  hasCountry(country: string): boolean;
  selectNumberingPlan(country: string): void;
  numberingPlan: NumberingPlanInternals | undefined;
  getCountryCodesForCallingCode(code: string): string[] | undefined;
}

function newMetadata(): MetadataInternals {
  return new Metadata(METADATA) as unknown as MetadataInternals;
}
const plans = new Map<string, SimplePlan | null>();

/** The simple numbering plan of a country, or null when it needs the full parser. */
function simplePlan(country: string): SimplePlan | null {
  const known = plans.get(country);
  if (known !== undefined) return known;
  let plan: SimplePlan | null = null;
  const metadata = newMetadata();
  if (metadata.hasCountry(country)) {
    metadata.selectNumberingPlan(country);
    const p = metadata.numberingPlan;
    const callingCode = p?.callingCode();
    const prefix = p?.nationalPrefix();
    const forParsing = p?.nationalPrefixForParsing();
    const shared =
      callingCode === undefined
        ? 2
        : (metadata.getCountryCodesForCallingCode(callingCode)?.length ?? 2);
    if (
      p !== undefined &&
      callingCode !== undefined &&
      !p.hasTypes() &&
      shared === 1 &&
      (forParsing === undefined || forParsing === prefix) &&
      p.nationalPrefixTransformRule() === undefined
    ) {
      plan = {
        callingCode,
        nationalPrefix: prefix,
        pattern: new RegExp(`^(?:${p.nationalNumberPattern()})$`),
      };
    }
  }
  plans.set(country, plan);
  return plan;
}

const byCallingCode = new Map<string, SimplePlan | null>();

function planForCallingCode(code: string): SimplePlan | null {
  const known = byCallingCode.get(code);
  if (known !== undefined) return known;
  const countries = newMetadata().getCountryCodesForCallingCode(code);
  const plan = countries !== undefined && countries.length === 1 ? simplePlan(countries[0]) : null;
  byCallingCode.set(code, plan);
  return plan;
}

const CALLING_CODES = new Set(
  Object.keys(
    (METADATA as unknown as { country_calling_codes: Record<string, string[]> })
      .country_calling_codes,
  ),
);

export class PhoneNormalizer {
  readonly country: CountryCode | undefined;
  private readonly plan: SimplePlan | null;
  private readonly cache = new Map<string, string | null>();
  /** Normalizers for the countries rows name (`Country Code`, `billing_country`). */
  private readonly others = new Map<string, PhoneNormalizer>();

  constructor(defaultCountry: string | undefined) {
    this.country =
      defaultCountry === undefined ? undefined : (defaultCountry.toUpperCase() as CountryCode);
    this.plan = this.country === undefined ? null : simplePlan(this.country);
  }

  /**
   * The normalizer for a row whose own country is `country` (an ISO code): national numbers are
   * read in that country's plan. This one for no country, or one libphonenumber does not know.
   */
  forCountry(country: string | undefined): PhoneNormalizer {
    if (country === undefined || country === this.country) return this;
    let other = this.others.get(country);
    if (other === undefined) {
      other = newMetadata().hasCountry(country) ? new PhoneNormalizer(country) : this;
      this.others.set(country, other);
    }
    return other;
  }

  /** E.164 (`+33612345678`), or undefined when the text is not a valid phone number. */
  toE164(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const compact = compactPhone(text);
    if (compact === "") return undefined;
    // `0033…` is the international prefix written out: the same number as `+33…`.
    const key = compact.startsWith("00") ? `+${compact.slice(2)}` : compact;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const fast = this.fast(key);
    const e164 = fast === undefined ? this.parse(key) : fast === null ? undefined : fast;
    if (this.cache.size > 2_000_000) this.cache.clear();
    this.cache.set(key, e164 ?? null);
    return e164;
  }

  /** The full parse, as libphonenumber-js does it. Exposed for the equivalence test. */
  parse(key: string): string | undefined {
    try {
      const parsed = parsePhoneNumberFromString(key, this.country);
      if (parsed === undefined || !parsed.isValid()) return undefined;
      return parsed.number;
    } catch {
      return undefined;
    }
  }

  /**
   * The answer from the metadata pattern for the common spellings: E.164, null (invalid), or
   * undefined when the full parser must decide.
   */
  fast(key: string): string | null | undefined {
    if (key.startsWith("+")) {
      const digits = key.slice(1);
      for (let length = 1; length <= 3 && length < digits.length; length++) {
        const code = digits.slice(0, length);
        if (!CALLING_CODES.has(code)) continue;
        const plan = planForCallingCode(code);
        if (plan === null) return undefined;
        const national = digits.slice(length);
        if (plan.nationalPrefix !== undefined && national.startsWith(plan.nationalPrefix))
          return undefined;
        return plan.pattern.test(national) ? `+${code}${national}` : undefined;
      }
      return undefined;
    }
    const plan = this.plan;
    if (plan === null || plan.nationalPrefix === undefined || !key.startsWith(plan.nationalPrefix))
      return undefined;
    const national = key.slice(plan.nationalPrefix.length);
    if (national.startsWith(plan.nationalPrefix)) return undefined;
    return plan.pattern.test(national) ? `+${plan.callingCode}${national}` : undefined;
  }
}

/**
 * The digits of a phone (and a leading `+`), without the apostrophe, spaces, dots, dashes and
 * brackets people write. `+33 (0)6 12…` loses its bracketed trunk `0`.
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
  if (out.startsWith("+") && text.includes("(0)")) {
    const before = compactDigits(text.slice(0, text.indexOf("(0)")));
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

/**
 * Whether a phone cell is a number a spreadsheet rounded: scientific notation (`9.23225E+11`), or
 * the digits it leaves when that is saved again (`923428000000`: 12 or more digits of which at
 * most the first 6 are not zeros). Excel shows only 11 characters of a number in its General
 * format, so the digits after the sixth are gone: the number cannot be recovered.
 */
export function isSpreadsheetRounded(text: string): boolean {
  let t = text.trim();
  if (t.startsWith("'")) t = t.slice(1);
  if (/^\+?\d(?:[.,]\d+)?e\+?\d+$/i.test(t)) return true;
  if (!/^\d{12,}$/.test(t)) return false;
  return t.replace(/0+$/, "").length <= 6;
}
