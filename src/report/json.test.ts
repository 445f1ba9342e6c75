import { describe, expect, it } from "vitest";
import { formatJson } from "./json.js";

describe("formatJson", () => {
  it("keeps arrays of primitives on one line and is valid JSON", () => {
    const value = {
      as_of: "2026-06-30",
      grid: [
        [1, 2],
        [3, 4],
      ],
      cut_points: { recency: [1.5, 2] },
      segments: [{ id: "a", n: 1 }],
      empty: [],
      none: {},
    };
    const text = formatJson(value);
    expect(text).toBe(
      [
        "{",
        '  "as_of": "2026-06-30",',
        '  "grid": [',
        "    [1, 2],",
        "    [3, 4]",
        "  ],",
        '  "cut_points": {',
        '    "recency": [1.5, 2]',
        "  },",
        '  "segments": [',
        "    {",
        '      "id": "a",',
        '      "n": 1',
        "    }",
        "  ],",
        '  "empty": [],',
        '  "none": {}',
        "}",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(text)).toEqual(value);
  });
});
