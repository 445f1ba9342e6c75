import { describe, expect, it } from "vitest";
import { csvRecords, PreviousRows, rowIdentity } from "./changes.js";

describe("csvRecords", () => {
  it.each([
    [
      "plain CRLF",
      "a,b\r\n1,2\r\n",
      ",",
      [
        ["a", "b"],
        ["1", "2"],
      ],
      ["a,b\r\n", "1,2\r\n"],
    ],
    [
      "LF and no final break",
      "a,b\n1,2",
      ",",
      [
        ["a", "b"],
        ["1", "2"],
      ],
      ["a,b\n", "1,2"],
    ],
    [
      "quotes, doubled quotes, delimiter and line breaks inside",
      'x,"a ""b"", c\r\nd"\r\n',
      ",",
      [["x", 'a "b", c\r\nd']],
      ['x,"a ""b"", c\r\nd"\r\n'],
    ],
    ["semicolons", 'a;"b;c";\r\n', ";", [["a", "b;c", ""]], ['a;"b;c";\r\n']],
    ["an unterminated quote runs to the end", 'a,"b\r\nc', ",", [["a", "b\r\nc"]], ['a,"b\r\nc']],
  ])("%s", (_name, text, delimiter, cells, raws) => {
    const records = [...csvRecords(text, delimiter)];
    expect(records.map((r) => r.cells)).toEqual(cells);
    expect(records.map((r) => r.text)).toEqual(raws);
    expect(records.map((r) => r.text).join("")).toBe(text);
  });
});

describe("PreviousRows", () => {
  const header = "customer_id,email,phone,first_name\r\n";
  const file =
    header +
    "c1,a@example.com,,Ann\r\n" +
    "c2,b@example.com,,Bob\r\n" +
    '"c3",c@example.com,,"Cy, Jr"\r\n' +
    ",,,Nobody\r\n" +
    ",,,Nobody 2\r\n";
  const keys = [0, 1, 2];

  it("takes the rows still there and gives back the others as written, in file order", () => {
    const rows = PreviousRows.parse(file, header, ",", keys);
    if (rows === "other-header") throw new Error("unexpected");
    expect(rows.take(rowIdentity(["c2", "b@example.com", "", "Bobby"], keys))).toBe(true);
    expect(rows.take(rowIdentity(["c2", "b@example.com", "", "Bob"], keys))).toBe(false);
    expect(rows.take(rowIdentity(["c4", "d@example.com", "", "Dee"], keys))).toBe(false);
    // Rows with equal identifiers pair up in order: the first is taken, the last one exits.
    expect(rows.take(rowIdentity(["", "", "", "Other"], keys))).toBe(true);
    expect([...rows.exited()]).toEqual([
      "c1,a@example.com,,Ann\r\n",
      '"c3",c@example.com,,"Cy, Jr"\r\n',
      ",,,Nobody 2\r\n",
    ]);
  });

  it("compares only a file with the same header", () => {
    expect(PreviousRows.parse("Email,Phone Number\r\n", header, ",", keys)).toBe("other-header");
    const empty = PreviousRows.parse(header, header, ",", keys);
    if (empty === "other-header") throw new Error("unexpected");
    expect([...empty.exited()]).toEqual([]);
  });

  it("keeps identity cells apart: no two cell lists give the same identity", () => {
    const cases = [
      ["ab", ""],
      ["a", "b"],
      ["", "ab"],
      ["1:a", ""],
      ["", "1:a"],
    ];
    const identities = new Set(cases.map((cells) => rowIdentity(cells, [0, 1])));
    expect(identities.size).toBe(cases.length);
    expect(rowIdentity(["x", "a", "b"], [2, 1])).toBe(rowIdentity(["b", "a"], [0, 1]));
  });
});
