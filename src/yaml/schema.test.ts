import { describe, expect, expectTypeOf, it } from "vitest";
import { isMap } from "yaml";
import { parseYamlSource } from "./positions.js";
import { validateNode, type Infer, type NodeValidation, type ObjectSchema } from "./schema.js";

const ENTRY = {
  type: "object",
  required: ["where"],
  properties: {
    where: { type: "union", anyOf: [{ type: "string" }, { type: "boolean" }] },
    channel: { type: "string", enum: ["email", "sms"] },
    columns: { type: "array", items: { type: "string" } },
    guard: { type: "object", properties: { min: { type: "number", integer: true } } },
  },
} as const satisfies ObjectSchema;

const FILE = {
  type: "object",
  properties: {
    segments: { type: "map", keyName: "segment id", values: ENTRY, repeatedKeys: "caller" },
    rates: { type: "map", keyName: "currency code", values: { type: "number" } },
    kinds: { type: "map", keys: ["orders", "contacts"], values: { type: "string" } },
  },
} as const satisfies ObjectSchema;

function validate(text: string) {
  const { source, doc } = parseYamlSource("f.yaml", text);
  const seen: { node: unknown; result: NodeValidation<Infer<typeof ENTRY>> }[] = [];
  const validation = validateNode(source, doc.contents, FILE, {
    each: { schema: ENTRY, seen: (node, result) => seen.push({ node, result }) },
  });
  return { validation, seen, doc };
}

describe("Infer", () => {
  it("derives the value's type from a schema written as const", () => {
    expectTypeOf<Infer<typeof ENTRY>>().toEqualTypeOf<{
      where?: string | boolean;
      channel?: "email" | "sms";
      columns?: string[];
      guard?: { min?: number };
    }>();
    expectTypeOf<Infer<typeof FILE>["rates"]>().toEqualTypeOf<Record<string, number> | undefined>();
    expectTypeOf<Infer<typeof FILE>["kinds"]>().toEqualTypeOf<
      { orders?: string; contacts?: string } | undefined
    >();
  });
});

describe("validateNode", () => {
  it("tells the caller each entry's own result, in document order", () => {
    const { validation, seen, doc } = validate(
      "segments:\n  a:\n    where: true\n    channel: fax\n  b:\n    channel: sms\n",
    );
    const segments = isMap(doc.contents) ? doc.contents.get("segments", true) : undefined;
    const nodes = isMap(segments) ? segments.items.map((p) => p.value) : [];
    expect(seen.map((s) => s.node)).toEqual(nodes);
    expect(seen.map((s) => s.result.diagnostics.map((d) => d.code))).toEqual([
      ["SCHEMA_ENUM"],
      ["MISSING_KEY"],
    ]);
    expect(seen.map((s) => s.result.value)).toEqual([{ where: true }, { channel: "sms" }]);
    expect(validation.diagnostics.map((d) => d.code)).toEqual(["SCHEMA_ENUM", "MISSING_KEY"]);
  });

  it("leaves a repeated key to the caller when the map says so, and reports it otherwise", () => {
    const repeated = validate("segments:\n  a: { where: true }\n  a: { where: false }\n");
    expect(repeated.validation.diagnostics).toEqual([]);
    expect(repeated.validation.value).toEqual({ segments: { a: { where: true } } });
    const rates = validate("rates:\n  USD: 1\n  USD: 2\n");
    expect(rates.validation.diagnostics.map((d) => [d.code, d.message, d.location.line])).toEqual([
      ["DUPLICATE_KEY", 'currency code "USD" is given twice', 3],
    ]);
  });
});
