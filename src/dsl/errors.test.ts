import { describe, expect, it } from "vitest";
import { sortDiagnostics } from "../errors.js";
import { DSL_CODES, exprError, exprWarning, hasErrors } from "./errors.js";

describe("DSL_CODES", () => {
  it("maps every code to itself, so codes are stable strings", () => {
    for (const [key, value] of Object.entries(DSL_CODES)) expect(value).toBe(key);
  });
});

describe("diagnostics", () => {
  it("builds errors and warnings, with a hint only when given", () => {
    expect(exprError("UNKNOWN_FIELD", "m", { start: 1, end: 2 })).toEqual({
      code: "UNKNOWN_FIELD",
      message: "m",
      span: { start: 1, end: 2 },
      severity: "error",
    });
    expect(exprWarning("CONSTANT_NULL_TEST", "m", { start: 0, end: 1 }, "h")).toEqual({
      code: "CONSTANT_NULL_TEST",
      message: "m",
      hint: "h",
      span: { start: 0, end: 1 },
      severity: "warning",
    });
  });

  it("sorts by position, errors before warnings at the same place, stably", () => {
    const a = exprWarning("CONSTANT_NULL_TEST", "a", { start: 5, end: 9 });
    const b = exprError("TYPE_MISMATCH", "b", { start: 5, end: 9 });
    const c = exprError("UNKNOWN_FIELD", "c", { start: 0, end: 3 });
    const d = exprError("UNKNOWN_FIELD", "d", { start: 0, end: 3 });
    expect(sortDiagnostics([a, b, c, d]).map((x) => x.message)).toEqual(["c", "d", "b", "a"]);
    expect(hasErrors([a])).toBe(false);
    expect(hasErrors([a, b])).toBe(true);
  });
});
