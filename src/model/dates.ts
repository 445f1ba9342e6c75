/**
 * Dates and timestamps of docs/design.md#inputs, turned into calendar days in the shop's time zone.
 *
 * - `2024-05-01`, `20240501`, `2024/05/01`
 * - `2024-05-01T10:20:30Z`, `2024-05-01T10:20:30+02:00`, `2024-05-01 10:20:30` (local time),
 *   `2024-05-01 10:20:30 +0200` (Shopify)
 * - `01/05/2024`, `1.5.2024 10:20` only with `date_order: dmy|mdy` — never guessed.
 *
 * A timestamp with an offset or `Z` is an instant: its calendar date is taken in `timezone`. A
 * timestamp without one is already the shop's local time: its date part is the date.
 *
 * Besides the day, the parser keeps the time of day (`DateParser.time`): the date and time in the
 * shop's time zone, to the second, as milliseconds since 1970-01-01 00:00 of that zone — a date
 * without a time is its midnight. Orders of one day are ordered by it (order-folding.ts).
 */
import { dayFromEpochMs, dayFromParts, isValidDate, type EpochDay } from "../calendar.js";
import { UserError } from "../errors.js";
import { safeDetail } from "./rejects.js";

export type DateOrder = "dmy" | "mdy";

export type DateProblem =
  "not a date" | "ambiguous day/month order" | "impossible date" | "date before 1970";

/**
 * A day/month date without `date_order` is a setting to choose, not a bad row: every such date
 * in the file is affected, so the run stops at the first one with what to write in the config.
 */
export function ambiguousDateError(file: string, line: number, text: string): UserError {
  return new UserError(
    "AMBIGUOUS_DATE",
    `${file}:${line}: the date "${safeDetail(text)}" could be day/month or month/day`,
    {
      hint: "set `date_order: dmy` (day first) or `date_order: mdy` (month first) in audience.yaml",
    },
  );
}

const MS_PER_MINUTE = 60_000;
const BUCKET_MS = 15 * MS_PER_MINUTE;

/** Calendar dates of instants in one IANA time zone, with the zone offset cached per 15 minutes. */
export class ZoneClock {
  readonly timezone: string;
  private readonly utc: boolean;
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly offsets = new Map<number, number>();
  private readonly dailyOffsets = new Map<number, number>();

  constructor(timezone: string) {
    this.timezone = timezone;
    this.utc = timezone === "UTC" || timezone === "Etc/UTC" || timezone === "GMT";
    this.format = this.utc
      ? undefined
      : new Intl.DateTimeFormat("en-US", {
          timeZone: timezone,
          hourCycle: "h23",
          year: "numeric",
          month: "2-digit",
          day: "2-digit",
          hour: "2-digit",
          minute: "2-digit",
          // Years before 1 AD are written 1 BC, 2 BC…: the era tells them apart.
          era: "short",
        });
  }

  /** Whether `timezone` is a zone this runtime knows. */
  static isValidZone(timezone: string): boolean {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
      return true;
    } catch {
      return false;
    }
  }

  /** The zone's offset from UTC in minutes at this instant (Paris in summer: 120). */
  offsetMinutes(ms: number): number {
    if (this.format === undefined) return 0;
    // Most UTC days have one offset all day long: look it up once per day, and per quarter hour
    // only on the days the zone changes its clocks.
    const utcDay = Math.floor(ms / 86_400_000);
    let daily = this.dailyOffsets.get(utcDay);
    if (daily === undefined) {
      const start = this.bucketOffset(utcDay * 86_400_000);
      const end = this.bucketOffset(utcDay * 86_400_000 + 86_400_000 - BUCKET_MS);
      daily = start === end ? start : NaN;
      this.dailyOffsets.set(utcDay, daily);
    }
    return Number.isNaN(daily) ? this.bucketOffset(ms) : daily;
  }

  private bucketOffset(ms: number): number {
    const bucket = Math.floor(ms / BUCKET_MS);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    // Zone transitions happen on whole quarter hours, so one lookup serves the whole bucket.
    const at = bucket * BUCKET_MS;
    const parts = (this.format as Intl.DateTimeFormat).formatToParts(new Date(at));
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let beforeChrist = false;
    for (const part of parts) {
      if (part.type === "year") year = Number(part.value);
      else if (part.type === "month") month = Number(part.value);
      else if (part.type === "day") day = Number(part.value);
      else if (part.type === "hour") hour = Number(part.value);
      else if (part.type === "minute") minute = Number(part.value);
      else if (part.type === "era") beforeChrist = part.value === "BC";
    }
    if (beforeChrist) year = 1 - year;
    const localMs =
      dayFromParts(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * MS_PER_MINUTE;
    const offset = Math.round((localMs - at) / MS_PER_MINUTE);
    this.offsets.set(bucket, offset);
    return offset;
  }

  /** The calendar date, in this zone, of a UTC instant. */
  dayOf(ms: number): EpochDay {
    return dayFromEpochMs(this.localMs(ms));
  }

  /** The date and time in this zone of a UTC instant, as milliseconds from 1970-01-01 00:00 there. */
  localMs(ms: number): number {
    return this.utc ? ms : ms + this.offsetMinutes(ms) * MS_PER_MINUTE;
  }
}

/** Today's date in a zone (for the default as_of; only the CLI calls this with the clock). */
export function todayIn(clock: ZoneClock, nowMs: number): EpochDay {
  return clock.dayOf(nowMs);
}

const ISO =
  /^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2}))(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

const NUMERIC =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(AM|PM)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

const MIN_DAY = dayFromParts(1970, 1, 1);

export interface DateParserOptions {
  clock: ZoneClock;
  dateOrder?: DateOrder;
  /** Reject dates before 1970 (order and event dates; not birth dates). Default true. */
  rejectBefore1970?: boolean;
  /** Collects the UTC offsets (minutes) written in timestamps (`+0200`), for the time-zone hint. */
  offsets?: Set<number>;
}

/**
 * Parses date cells into epoch days. Remembers the last text it parsed: the rows of one order
 * repeat the same timestamp, so most calls return at once.
 */
export class DateParser {
  private readonly clock: ZoneClock;
  private readonly dateOrder: DateOrder | undefined;
  private readonly rejectBefore1970: boolean;
  private readonly offsets: Set<number> | undefined;
  private lastText = "";
  private lastDay: number = NaN;
  private lastTime: number = NaN;
  private lastProblem: DateProblem | undefined = "not a date";
  /** Why the last call returned NaN. */
  problem: DateProblem | undefined;
  /**
   * Of the last call: the date and time of day in the shop's time zone, as milliseconds from
   * 1970-01-01 00:00 there (midnight for a date without a time); NaN when it returned NaN.
   * `Math.floor(time / 86_400_000)` is the day returned.
   */
  time: number = NaN;

  constructor(options: DateParserOptions) {
    this.clock = options.clock;
    this.dateOrder = options.dateOrder;
    this.rejectBefore1970 = options.rejectBefore1970 ?? true;
    this.offsets = options.offsets;
  }

  /**
   * The epoch day of a date or timestamp cell, or NaN (see `problem`). SQL twins: `parseDateSql`
   * and `dateProblemSql` (src/sql/normalise.ts): change both.
   */
  parse(text: string): EpochDay {
    if (text === this.lastText) {
      this.problem = this.lastProblem;
      this.time = this.lastTime;
      return this.lastDay;
    }
    const day = this.parseUncached(text);
    if (Number.isNaN(day)) this.time = NaN;
    this.lastText = text;
    this.lastDay = day;
    this.lastTime = this.time;
    this.lastProblem = this.problem;
    return day;
  }

  private parseUncached(input: string): EpochDay {
    this.problem = undefined;
    const fast = this.parseCommon(input);
    if (fast !== undefined) return fast;
    let text = input.trim();
    if (text.startsWith("'")) text = text.slice(1).trim();
    let year: number;
    let month: number;
    let day: number;
    let hour: number | undefined;
    let minute = 0;
    let second = 0;
    let zone: string | undefined;
    const iso = ISO.exec(text);
    if (iso) {
      year = Number(iso[1]);
      month = Number(iso[3] ?? iso[5]);
      day = Number(iso[4] ?? iso[6]);
      if (iso[7] !== undefined) {
        hour = Number(iso[7]);
        minute = Number(iso[8]);
        second = iso[9] === undefined ? 0 : Number(iso[9]);
      }
      zone = iso[10];
    } else {
      const numeric = NUMERIC.exec(text);
      if (!numeric) return this.fail("not a date");
      if (this.dateOrder === undefined) return this.fail("ambiguous day/month order");
      const first = Number(numeric[1]);
      const second_ = Number(numeric[3]);
      day = this.dateOrder === "dmy" ? first : second_;
      month = this.dateOrder === "dmy" ? second_ : first;
      year = Number(numeric[4]);
      if (numeric[4].length === 2) year += 2000;
      if (numeric[5] !== undefined) {
        hour = Number(numeric[5]);
        minute = Number(numeric[6]);
        second = numeric[7] === undefined ? 0 : Number(numeric[7]);
        const meridiem = numeric[8]?.toUpperCase();
        if (meridiem !== undefined) {
          if (hour < 1 || hour > 12) return this.fail("impossible date");
          if (meridiem === "PM" && hour !== 12) hour += 12;
          if (meridiem === "AM" && hour === 12) hour = 0;
        }
      }
      zone = numeric[9];
    }
    if (!isValidDate(year, month, day)) return this.fail("impossible date");
    if (hour !== undefined && (hour > 23 || minute > 59 || second > 60)) {
      return this.fail("impossible date");
    }
    const civil = dayFromParts(year, month, day);
    // A leap second (:60) is read as :59.
    let time =
      civil * 86_400_000 + ((hour ?? 0) * 3600 + minute * 60 + Math.min(second, 59)) * 1000;
    if (zone !== undefined && hour !== undefined) {
      const offset = zoneOffsetMinutes(zone);
      if (offset === undefined) return this.fail("not a date");
      this.offsets?.add(offset);
      time = this.clock.localMs(time - offset * MS_PER_MINUTE);
    }
    const result = Math.floor(time / 86_400_000);
    if (this.rejectBefore1970 && result < MIN_DAY) return this.fail("date before 1970");
    this.time = time;
    return result;
  }

  /**
   * The forms almost every export uses — `2024-05-01`, `2024-05-01 10:20:30` and
   * `2024-05-01T10:20:30Z` — read from character codes without a regular expression. Anything
   * else (or anything invalid) returns undefined and goes through the full parser.
   */
  private parseCommon(text: string): EpochDay | undefined {
    const n = text.length;
    if (n !== 10 && n !== 19 && n !== 20) return undefined;
    const d = (i: number) => text.charCodeAt(i) - 48;
    for (const i of [0, 1, 2, 3, 5, 6, 8, 9]) {
      const c = d(i);
      if (c < 0 || c > 9) return undefined;
    }
    if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
    const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const month = d(5) * 10 + d(6);
    const day = d(8) * 10 + d(9);
    if (year < 1970 || !isValidDate(year, month, day)) return undefined;
    const civil = dayFromParts(year, month, day);
    if (n === 10) {
      this.time = civil * 86_400_000;
      return civil;
    }
    const sep = text.charCodeAt(10);
    if (sep !== 32 && sep !== 84 /* T */) return undefined;
    if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
    for (const i of [11, 12, 14, 15, 17, 18]) {
      const c = d(i);
      if (c < 0 || c > 9) return undefined;
    }
    const hour = d(11) * 10 + d(12);
    const minute = d(14) * 10 + d(15);
    const second = d(17) * 10 + d(18);
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const wall = civil * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000;
    if (n === 19) {
      // Local time: its date is the date.
      this.time = wall;
      return civil;
    }
    if (text.charCodeAt(19) !== 90 /* Z */) return undefined;
    const time = this.clock.localMs(wall);
    const result = Math.floor(time / 86_400_000);
    if (this.rejectBefore1970 && result < MIN_DAY) return undefined;
    this.time = time;
    return result;
  }

  private fail(problem: DateProblem): number {
    this.problem = problem;
    return NaN;
  }
}

/** `Z` → 0, `+0200` / `+02:00` / `+02` → 120, `-0430` → -270. */
function zoneOffsetMinutes(zone: string): number | undefined {
  const upper = zone.toUpperCase();
  if (upper === "Z" || upper === "UTC" || upper === "GMT") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
