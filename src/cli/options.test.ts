import { describe, expect, it } from "vitest";
import { timezoneNote } from "./options.js";

describe("timezoneNote", () => {
  it("is silent when every timestamp is UTC or has no offset", () => {
    expect(timezoneNote([])).toBeUndefined();
    expect(timezoneNote([0])).toBeUndefined();
  });

  it("names the offsets seen, ascending as given, with hours and minutes", () => {
    expect(timezoneNote([-300, -240, 0, 330])).toBe(
      "the timestamps read carry UTC offsets (-05:00, -04:00, +00:00, +05:30) but no time zone is set, so days are counted in UTC: set `timezone:` in audience.yaml (or pass --timezone) to the shop's IANA zone, such as Europe/Paris or America/New_York",
    );
  });
});
