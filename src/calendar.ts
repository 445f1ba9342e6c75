/**
 * Calendar arithmetic on epoch days (whole days since 1970-01-01). Pure and allocation-free: this
 * runs for every order row.
 */

/**
 * Dates are whole days since 1970-01-01 (the "epoch day") in the configured time zone: every
 * timestamp is turned into a calendar date when it is read, so the evaluator only compares
 * integers.
 */
export type EpochDay = number;

export type DurationUnit = "d" | "w" | "m" | "y";

/** `30d`, `2w`, `6m` (calendar months), `1y`. */
export interface Duration {
  count: number;
  unit: DurationUnit;
}

const MS_PER_DAY = 86_400_000;

/** Epoch day of a proleptic Gregorian date (month 1–12). No validation: see `isValidDate`. */
export function dayFromParts(year: number, month: number, day: number): EpochDay {
  // Howard Hinnant's days_from_civil.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** The calendar date of an epoch day. */
export function partsFromDay(epochDay: EpochDay): DateParts {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Adds calendar months, keeping the day of month clamped to the month's end (Mar 31 − 1m = Feb 28). */
export function addMonths(epochDay: EpochDay, months: number): EpochDay {
  const { year, month, day } = partsFromDay(epochDay);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return dayFromParts(y, m, Math.min(day, daysInMonth(y, m)));
}

/** `day` moved by `sign` × duration: days and weeks exactly, months and years on the calendar. */
export function addDuration(epochDay: EpochDay, duration: Duration, sign: 1 | -1): EpochDay {
  switch (duration.unit) {
    case "d":
      return epochDay + sign * duration.count;
    case "w":
      return epochDay + sign * 7 * duration.count;
    case "m":
      return addMonths(epochDay, sign * duration.count);
    case "y":
      return addMonths(epochDay, sign * 12 * duration.count);
    default: {
      const never: never = duration.unit;
      return never;
    }
  }
}

/**
 * The first day of a `within:` window: the window is the calendar days that end with `asOf`, so
 * `within: 30d` starts 29 days before as_of and `within: 1d` is as_of alone.
 */
export function windowStart(asOf: EpochDay, duration: Duration): EpochDay {
  return addDuration(asOf, duration, -1) + 1;
}

/** `YYYY-MM-DD`. */
export function formatDay(epochDay: EpochDay): string {
  const { year, month, day } = partsFromDay(epochDay);
  const yyyy = year < 0 ? `-${String(-year).padStart(4, "0")}` : String(year).padStart(4, "0");
  return `${yyyy}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Parses exactly `YYYY-MM-DD` into an epoch day, or undefined when it is not a real date. */
export function parseIsoDay(text: string): EpochDay | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isValidDate(year, month, day) ? dayFromParts(year, month, day) : undefined;
}

/** The epoch day of a UTC instant given in milliseconds. */
export function dayFromEpochMs(ms: number): EpochDay {
  return Math.floor(ms / MS_PER_DAY);
}
