import { describe, expect, it } from "vitest";
import { escapeControls } from "./escape.js";

describe("escapeControls", () => {
  it("shows control characters and escape sequences escaped, other text as it is", () => {
    expect(escapeControls("\u001b[31mred\u0007")).toBe("\\x1b[31mred\\x07");
    expect(escapeControls("12\nerror fake line\r")).toBe("12\\nerror fake line\\r");
    expect(escapeControls("\u0000\u009b\u2028")).toBe("\\x00\\x9b\\u{2028}");
    expect(escapeControls("Crème née")).toBe("Crème née");
  });
});
