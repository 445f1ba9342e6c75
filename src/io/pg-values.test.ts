import { describe, expect, it } from "vitest";
import { DateParser, ZoneClock } from "../model/dates.js";
import { parseNumber } from "../model/values.js";
import { cellConverter, PG_TYPES } from "./pg-values.js";

describe("cellConverter", () => {
  it("writes timestamptz (UTC session) as an ISO instant, timestamp as local time", () => {
    const tz = cellConverter(PG_TYPES.timestamptz, "auto");
    expect(tz("2024-05-01 08:20:30+00")).toBe("2024-05-01T08:20:30Z");
    expect(tz("2024-05-01 22:20:30.125+00")).toBe("2024-05-01T22:20:30.125Z");
    expect(tz("infinity")).toBe("infinity");
    const local = cellConverter(PG_TYPES.timestamp, "auto");
    expect(local("2024-05-01 23:59:59")).toBe("2024-05-01T23:59:59");
    expect(local("2024-05-01 23:59:59.5")).toBe("2024-05-01T23:59:59.5");
  });

  it("gives the day the CSV path gives the same instant or local time", () => {
    const paris = new DateParser({ clock: new ZoneClock("Europe/Paris") });
    // 22:20 UTC is the next day in Paris, as `2024-05-02T00:20:30+02:00` in a CSV file.
    const instant = cellConverter(PG_TYPES.timestamptz, "auto")("2024-05-01 22:20:30+00");
    expect(paris.parse(instant)).toEqual(paris.parse("2024-05-02T00:20:30+02:00"));
    const local = cellConverter(PG_TYPES.timestamp, "auto")("2024-05-01 23:59:59");
    expect(paris.parse(local)).toEqual(paris.parse("2024-05-01 23:59:59"));
  });

  it("keeps numbers as written, with the run's decimal mark", () => {
    expect(cellConverter(PG_TYPES.numeric, "auto")("1234.50")).toBe("1234.50");
    const comma = cellConverter(PG_TYPES.numeric, ",")("-1234.50");
    expect(comma).toBe("-1234,50");
    expect(parseNumber(comma, ",")).toBe(-1234.5);
    expect(cellConverter(PG_TYPES.int8, ",")("9007199254740993")).toBe("9007199254740993");
  });

  it("writes booleans as true/false and NULL as an empty cell", () => {
    const bool = cellConverter(PG_TYPES.bool, "auto");
    expect([bool("t"), bool("f"), bool(null)]).toEqual(["true", "false", ""]);
    for (const oid of [...Object.values(PG_TYPES), 25])
      expect(cellConverter(oid, "auto")(null), String(oid)).toBe("");
    expect(cellConverter(25, ",")("1.5 kg")).toBe("1.5 kg");
  });
});
