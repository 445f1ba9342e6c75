/**
 * Which phones can receive an SMS or a WhatsApp message (docs/design.md#segment-files reachability): mobiles, and the
 * numbers of plans where the metadata cannot tell a mobile from a fixed line (US, Canada: "fixed
 * line or mobile"). A landline, a toll-free or premium number cannot.
 *
 * The metadata with number types (`libphonenumber-js/max`, 157 kB) is passed in by the caller,
 * which loads it only for runs with SMS or WhatsApp segments. The type is read from the metadata's
 * patterns directly — the test that libphonenumber's own `getType()` uses — with each country's
 * patterns compiled once: a few microseconds per phone instead of a full parse.
 */
import { Metadata, type MetadataJson } from "libphonenumber-js/core";
import type { CustomerStore } from "./store.js";

export type PhoneKind = "mobile" | "fixed_line_or_mobile" | "fixed_line" | "other" | "unknown";

/** The number types other than fixed line and mobile, in the order libphonenumber tries them. */
const OTHER_TYPES = [
  "PREMIUM_RATE",
  "TOLL_FREE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
] as const;

/**
 * The parts of libphonenumber-js's `Metadata` class used here (not in its type declarations); the
 * equivalence test in phone-type.test.ts fails if a new version changes them.
 */
interface TypeInternals {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface PlanInternals {
  nationalNumberPattern(): string;
  leadingDigits(): string | 0 | undefined;
  type(name: string): TypeInternals | undefined;
}
interface MetadataInternals {
  selectNumberingPlan(country: string): void;
  numberingPlan: PlanInternals;
  getCountryCodesForCallingCode(code: string): string[] | undefined;
}

interface TypePattern {
  pattern: RegExp;
  lengths: number[] | undefined;
}

interface CountryPatterns {
  valid: RegExp;
  leading: RegExp | undefined;
  fixed: TypePattern | undefined;
  /** "same": the metadata dropped the mobile pattern because it is the fixed-line one. */
  mobile: TypePattern | "same" | undefined;
  other: TypePattern[];
}

function typePattern(type: TypeInternals | undefined): TypePattern | undefined {
  if (type === undefined || type.pattern() === "") return undefined;
  return { pattern: new RegExp(`^(?:${type.pattern()})$`), lengths: type.possibleLengths() };
}

function matches(type: TypePattern | undefined, national: string): boolean {
  if (type === undefined) return false;
  if (type.lengths !== undefined && !type.lengths.includes(national.length)) return false;
  return type.pattern.test(national);
}

/** libphonenumber's `getNumberType` on one country's patterns; undefined: no type matches. */
function typeIn(plan: CountryPatterns, national: string): PhoneKind | undefined {
  if (!plan.valid.test(national)) return undefined;
  if (matches(plan.fixed, national)) {
    if (plan.mobile === "same" || plan.mobile === undefined) return "fixed_line_or_mobile";
    return matches(plan.mobile, national) ? "fixed_line_or_mobile" : "fixed_line";
  }
  if (plan.mobile !== "same" && matches(plan.mobile, national)) return "mobile";
  return plan.other.some((type) => matches(type, national)) ? "other" : undefined;
}

export class PhoneTypes {
  private readonly metadata: MetadataInternals;
  private readonly byCallingCode = new Map<string, CountryPatterns[]>();
  private readonly callingCodes: Set<string>;

  constructor(metadata: MetadataJson) {
    this.metadata = new Metadata(metadata) as unknown as MetadataInternals;
    this.callingCodes = new Set(
      Object.keys((metadata as unknown as { country_calling_codes: object }).country_calling_codes),
    );
  }

  private plans(code: string): CountryPatterns[] {
    const known = this.byCallingCode.get(code);
    if (known !== undefined) return known;
    const plans: CountryPatterns[] = [];
    const m = this.metadata;
    for (const country of m.getCountryCodesForCallingCode(code) ?? []) {
      m.selectNumberingPlan(country);
      const p = m.numberingPlan;
      const leading = p.leadingDigits();
      const mobile = p.type("MOBILE");
      plans.push({
        valid: new RegExp(`^(?:${p.nationalNumberPattern()})$`),
        // Absent values are written as 0 in the metadata.
        leading:
          typeof leading === "string" && leading !== "" ? new RegExp(`^(?:${leading})`) : undefined,
        fixed: typePattern(p.type("FIXED_LINE")),
        mobile: mobile !== undefined && mobile.pattern() === "" ? "same" : typePattern(mobile),
        other: OTHER_TYPES.map((t) => typePattern(p.type(t))).filter(
          (t): t is TypePattern => t !== undefined,
        ),
      });
    }
    this.byCallingCode.set(code, plans);
    return plans;
  }

  /** The type of an E.164 number (`+12015550123` → fixed_line_or_mobile). */
  kind(e164: string): PhoneKind {
    const digits = e164.startsWith("+") ? e164.slice(1) : e164;
    for (let length = 1; length <= 3 && length < digits.length; length++) {
      const code = digits.slice(0, length);
      if (!this.callingCodes.has(code)) continue;
      const national = digits.slice(length);
      const plans = this.plans(code);
      // The country of a shared calling code, as libphonenumber picks it: the first whose leading
      // digits match, or (for countries without them) whose patterns give the number a type.
      for (const plan of plans) {
        if (plan.leading !== undefined) {
          if (plan.leading.test(national)) return typeIn(plan, national) ?? "unknown";
        } else {
          const kind = typeIn(plan, national);
          if (kind !== undefined) return kind;
        }
      }
      return plans.length === 0 ? "unknown" : (typeIn(plans[0], national) ?? "unknown");
    }
    return "unknown";
  }

  /** Whether the number can receive an SMS or a WhatsApp message (see the file comment). */
  canText(e164: string): boolean {
    const kind = this.kind(e164);
    return kind === "mobile" || kind === "fixed_line_or_mobile" || kind === "unknown";
  }
}

/** Marks the customers whose phone cannot receive texts (`store.cannotText`); returns how many. */
export function markUntextablePhones(store: CustomerStore, types: PhoneTypes): number {
  let count = 0;
  for (let c = 0; c < store.size; c++) {
    const phone = store.phone[c];
    const no = phone !== undefined && !types.canText(phone);
    store.cannotText[c] = no ? 1 : 0;
    if (no) count++;
  }
  return count;
}
