import { describe, expect, it } from "vitest";
import { dayFromParts, formatDay } from "../calendar.js";
import { DateParser, ZoneClock } from "./dates.js";

function parser(timezone = "UTC", dateOrder?: "dmy" | "mdy") {
  return new DateParser({ clock: new ZoneClock(timezone), dateOrder });
}

function day(p: DateParser, text: string): string {
  const d = p.parse(text);
  return Number.isNaN(d) ? `NaN:${p.problem}` : formatDay(d);
}

describe("DateParser", () => {
  it.each([
    ["2024-05-01", "2024-05-01"],
    ["20240501", "2024-05-01"],
    ["2024/05/01", "2024-05-01"],
    ["2024-5-1", "2024-05-01"],
    ["2024-05-01T10:20:30Z", "2024-05-01"],
    ["2024-05-01T23:59:59.999Z", "2024-05-01"],
    ["2024-05-01 10:20:30", "2024-05-01"],
    ["2024-05-01 10:20", "2024-05-01"],
    ["'2024-05-01", "2024-05-01"],
    ["2024-05-01 10:20:30 +0200", "2024-05-01"],
    ["2024-05-01 01:20:30 +0200", "2024-04-30"],
    ["2024-05-01 22:30:00 -0400", "2024-05-02"],
    ["2024-05-01T22:30:00-04:00", "2024-05-02"],
    ["2024-02-29", "2024-02-29"],
  ])("UTC: %s → %s", (text, expected) => {
    expect(day(parser(), text)).toBe(expected);
  });

  it("takes the calendar date of an instant in the configured zone", () => {
    const paris = parser("Europe/Paris");
    // 22:30 UTC on 29 June is 00:30 on 30 June in Paris (summer time, +02:00).
    expect(day(paris, "2026-06-29T22:30:00Z")).toBe("2026-06-30");
    // In winter Paris is +01:00: 23:30 UTC on 15 January is still 00:30 the next day.
    expect(day(paris, "2026-01-15T23:30:00Z")).toBe("2026-01-16");
    expect(day(paris, "2026-01-15T22:30:00Z")).toBe("2026-01-15");
    // Shopify's local time with its offset, converted to Paris.
    expect(day(paris, "2024-05-01 20:20:30 -0400")).toBe("2024-05-02");
    // A timestamp without offset is already local: its date is the date.
    expect(day(paris, "2026-06-29 23:30:00")).toBe("2026-06-29");
    const tokyo = parser("Asia/Tokyo");
    expect(day(tokyo, "2026-06-29T15:30:00Z")).toBe("2026-06-30");
    const newYork = parser("America/New_York");
    expect(day(newYork, "2026-06-30T02:00:00Z")).toBe("2026-06-29");
  });

  it("handles the day of a daylight-saving change", () => {
    const paris = parser("Europe/Paris");
    // Clocks go forward at 01:00 UTC on 29 March 2026.
    expect(day(paris, "2026-03-28T23:30:00Z")).toBe("2026-03-29");
    expect(day(paris, "2026-03-28T22:30:00Z")).toBe("2026-03-28");
    // Clocks go back at 01:00 UTC on 25 October 2026.
    expect(day(paris, "2026-10-24T21:59:00Z")).toBe("2026-10-24");
    expect(day(paris, "2026-10-24T22:00:00Z")).toBe("2026-10-25");
    expect(day(paris, "2026-10-25T22:59:00Z")).toBe("2026-10-25");
    expect(day(paris, "2026-10-25T23:00:00Z")).toBe("2026-10-26");
  });

  it("reads day/month dates only with a date order", () => {
    expect(day(parser(), "03/04/2024")).toBe("NaN:ambiguous day/month order");
    expect(day(parser("UTC", "dmy"), "03/04/2024")).toBe("2024-04-03");
    expect(day(parser("UTC", "mdy"), "03/04/2024")).toBe("2024-03-04");
    expect(day(parser("UTC", "dmy"), "1.5.2024 10:20")).toBe("2024-05-01");
    expect(day(parser("UTC", "mdy"), "12/1/2010 8:26")).toBe("2010-12-01");
    expect(day(parser("UTC", "mdy"), "12/1/2010 8:26 PM")).toBe("2010-12-01");
    expect(day(parser("UTC", "dmy"), "31-12-24")).toBe("2024-12-31");
    expect(day(parser("UTC", "mdy"), "31/12/2024")).toBe("NaN:impossible date");
  });

  it.each([
    ["2024-02-30", "NaN:impossible date"],
    ["2023-02-29", "NaN:impossible date"],
    ["2024-13-01", "NaN:impossible date"],
    ["2024-05-01 25:00:00", "NaN:impossible date"],
    ["1969-12-31", "NaN:date before 1970"],
    ["1900-01-01", "NaN:date before 1970"],
    ["", "NaN:not a date"],
    ["yesterday", "NaN:not a date"],
    ["2024-05", "NaN:not a date"],
    ["May 1, 2024", "NaN:not a date"],
    ["2024-05-01 10:20:30 +9900", "NaN:not a date"],
  ])("rejects %j", (text, expected) => {
    expect(day(parser(), text)).toBe(expected);
  });

  it("remembers the last value and its problem", () => {
    const p = parser();
    expect(day(p, "2024-02-30")).toBe("NaN:impossible date");
    expect(day(p, "2024-02-30")).toBe("NaN:impossible date");
    expect(day(p, "2024-02-28")).toBe("2024-02-28");
    expect(p.problem).toBeUndefined();
    expect(day(p, "2024-02-28")).toBe("2024-02-28");
    expect(p.problem).toBeUndefined();
  });
});

describe("DateParser time of day", () => {
  /** The date and time the parser kept, in the shop's zone, as text. */
  function time(p: DateParser, text: string): string {
    p.parse(text);
    return Number.isNaN(p.time) ? "NaN" : new Date(p.time).toISOString().slice(0, 19);
  }

  it.each([
    ["2024-05-01", "2024-05-01T00:00:00"],
    ["20240501", "2024-05-01T00:00:00"],
    ["2024-05-01 10:20:30", "2024-05-01T10:20:30"],
    ["2024-05-01 10:20", "2024-05-01T10:20:00"],
    ["2024-05-01T10:20:30Z", "2024-05-01T10:20:30"],
    ["2024-05-01T23:59:59.999Z", "2024-05-01T23:59:59"],
    ["2024-05-01 10:20:30 +0200", "2024-05-01T08:20:30"],
    ["2024-05-01T22:30:00-04:00", "2024-05-02T02:30:00"],
    ["2024-05-01 23:59:60", "2024-05-01T23:59:59"],
    ["2024-02-30 10:00:00", "NaN"],
    ["soon", "NaN"],
  ])("UTC: %s → %s", (text, expected) => {
    expect(time(parser(), text)).toBe(expected);
  });

  it("keeps the instant as the shop's local time, consistent with the day", () => {
    const paris = parser("Europe/Paris", "dmy");
    expect(time(paris, "2026-06-29T22:30:00Z")).toBe("2026-06-30T00:30:00");
    expect(time(paris, "2024-05-01 20:20:30 -0400")).toBe("2024-05-02T02:20:30");
    expect(time(paris, "2026-06-29 23:30:00")).toBe("2026-06-29T23:30:00");
    expect(time(paris, "30/06/2026 9:05 PM")).toBe("2026-06-30T21:05:00");
    for (const text of ["2026-10-25T00:59:00Z", "2026-10-25T01:00:00Z", "2026-03-29T01:00:00Z"]) {
      const d = paris.parse(text);
      expect(Math.floor(paris.time / 86_400_000)).toBe(d);
    }
  });

  it("orders two timestamps of one day, and remembers the time with the last value", () => {
    const p = parser();
    p.parse("2026-06-01 09:00:00");
    const nine = p.time;
    p.parse("2026-06-01 10:00:00");
    const ten = p.time;
    expect(ten - nine).toBe(3_600_000);
    p.parse("bad");
    expect(p.time).toBeNaN();
    p.parse("2026-06-01 10:00:00");
    p.parse("2026-06-01 10:00:00");
    expect(p.time).toBe(ten);
  });
});

describe("ZoneClock", () => {
  it("knows valid zones", () => {
    expect(ZoneClock.isValidZone("Europe/Paris")).toBe(true);
    expect(ZoneClock.isValidZone("Europe/Pariss")).toBe(false);
  });

  it("gives zone offsets", () => {
    const paris = new ZoneClock("Europe/Paris");
    expect(paris.offsetMinutes(Date.UTC(2026, 6, 1))).toBe(120);
    expect(paris.offsetMinutes(Date.UTC(2026, 0, 1))).toBe(60);
    expect(new ZoneClock("Asia/Kathmandu").offsetMinutes(Date.UTC(2026, 0, 1))).toBe(345);
  });

  it("reads the offsets of years before 1 AD (written 1 BC by Intl) as their own year's", () => {
    const kolkata = new ZoneClock("Asia/Kolkata");
    const yearZero = new Date(Date.UTC(2000, 6, 22, 12));
    yearZero.setUTCFullYear(0);
    // Calcutta's local mean time, +5:53 — not the 366 days of reading 1 BC as the year 1.
    expect(kolkata.offsetMinutes(yearZero.getTime())).toBe(353);
    const dates = new DateParser({ clock: kolkata, rejectBefore1970: false });
    expect(dates.parse("0000-07-22T12:00:00Z")).toBe(dayFromParts(0, 7, 22));
  });
});

describe("DateParser offsets", () => {
  it("collects the UTC offsets written in timestamps, and none for dates, local times or Z", () => {
    const offsets = new Set<number>();
    const p = new DateParser({ clock: new ZoneClock("UTC"), offsets });
    for (const text of [
      "2024-05-01",
      "2024-05-01 10:20:30",
      "2024-05-01T10:20:30Z",
      "2024-05-01 23:10:00 -0400",
      "2024-01-01 23:10:00 -05:00",
      "2024-05-02 08:00:00 +0530",
    ])
      p.parse(text);
    expect([...offsets].sort((a, b) => a - b)).toEqual([-300, -240, 330]);
    // The offset moves the day: 23:10 at -04:00 is 03:10 the next day in UTC.
    expect(formatDay(p.parse("2024-05-01 23:10:00 -0400"))).toBe("2024-05-02");
  });
});
