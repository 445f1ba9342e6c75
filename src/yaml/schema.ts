/**
 * A small schema language for the YAML files audience reads (`audience.yaml`, segment files).
 *
 * One schema serves twice: `validateNode` checks a parsed YAML node against it and reports every
 * problem with its position, and `toJsonSchema` turns it into the JSON Schema shipped for
 * editors. Keeping both in one place means the editor and the validator can never disagree.
 * `Infer<S>` is the type of what `validateNode` returns for a schema written `as const`, so the
 * loaders read typed values without restating them.
 */
import { isAlias, isMap, isNode, isScalar, isSeq } from "yaml";
import { escapeControls } from "../escape.js";
import type { Diagnostic } from "../errors.js";
import { didYouMean } from "../suggest.js";
import type { ErrorCode } from "../codes.js";
import type { SourceFile } from "../source-file.js";
import { diagnosticAt } from "./positions.js";

interface SchemaBase {
  /** Shown in editors (JSON Schema `description`). */
  description?: string;
}

export interface ObjectSchema extends SchemaBase {
  type: "object";
  properties: Record<string, Schema>;
  required?: readonly string[];
}

/** An object whose keys are user-chosen (segment ids, file kinds). */
export interface MapSchema extends SchemaBase {
  type: "map";
  values: Schema;
  keyPattern?: string;
  /** What a key is, for messages: "segment id". */
  keyName?: string;
  /** When set, only these keys are allowed (unknown keys get a suggestion). */
  keys?: readonly string[];
  /**
   * A key given twice is not reported here: the caller reports it (a segment id repeated in a
   * file is reported with the place of the first, as one repeated across files). The value keeps
   * the first.
   */
  repeatedKeys?: "caller";
}

export interface StringSchema extends SchemaBase {
  type: "string";
  enum?: readonly string[];
  pattern?: string;
  /** What the pattern means, for messages: "a percentage such as 40%". */
  patternName?: string;
  minLength?: number;
  /** Free-form hint for readers of the JSON Schema (expression, date, path). */
  format?: "expression" | "date" | "path" | "timezone";
}

export interface NumberSchema extends SchemaBase {
  type: "number";
  integer?: boolean;
  minimum?: number;
  maximum?: number;
}

export interface BooleanSchema extends SchemaBase {
  type: "boolean";
}

export interface ArraySchema extends SchemaBase {
  type: "array";
  items: Schema;
  minItems?: number;
  maxItems?: number;
}

/** One of several shapes (a path or a list of paths; a number or "40%"). */
export interface UnionSchema extends SchemaBase {
  type: "union";
  anyOf: readonly Schema[];
}

export type Schema =
  | ObjectSchema
  | MapSchema
  | StringSchema
  | NumberSchema
  | BooleanSchema
  | ArraySchema
  | UnionSchema;

export type PlainValue =
  string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/**
 * The type of the value `validateNode` returns for schema `S` (written `as const`). Every key of
 * an object may be absent, required ones too: invalid parts are left out of the value.
 */
export type Infer<S> = S extends { type: "object"; properties: infer P }
  ? { -readonly [K in keyof P]?: Infer<P[K]> }
  : S extends { type: "map"; values: infer V }
    ? S extends { keys: readonly (infer K extends string)[] }
      ? { [Key in K]?: Infer<V> }
      : Record<string, Infer<V>>
    : S extends { type: "string" }
      ? S extends { enum: readonly (infer E extends string)[] }
        ? E
        : string
      : S extends { type: "number" }
        ? number
        : S extends { type: "boolean" }
          ? boolean
          : S extends { type: "array"; items: infer I }
            ? Infer<I>[]
            : S extends { type: "union"; anyOf: readonly (infer U)[] }
              ? Infer<U>
              : never;

export interface NodeValidation<T> {
  value: T | undefined;
  diagnostics: Diagnostic[];
}

export interface ValidateOptions<E extends Schema> {
  /** The node's path, for messages (`segments.win-back`); the root when absent. */
  path?: string;
  /**
   * Told the result of each node checked against `schema` (each segment entry), so the caller
   * knows which problems are whose without matching positions.
   */
  each?: { schema: E; seen(node: unknown, result: NodeValidation<Infer<E>>): void };
}

const describeType: Record<Schema["type"], string> = {
  object: "a mapping",
  map: "a mapping",
  string: "a string",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  union: "a value",
};

function expected(schema: Schema): string {
  if (schema.type === "union") return schema.anyOf.map(expected).join(" or ");
  if (schema.type === "string" && schema.enum) return `one of ${schema.enum.join(", ")}`;
  if (schema.type === "string" && schema.patternName) return schema.patternName;
  return describeType[schema.type];
}

function kindOf(node: unknown): string {
  if (node == null) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return "an alias";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "an empty value";
    if (typeof v === "number") return `the number ${String(v)}`;
    if (typeof v === "boolean") return String(v);
    return `the string "${String(v).slice(0, 40)}"`;
  }
  return "a value";
}

/** Does the node have the shape of this schema (used to pick a union branch)? */
function fits(node: unknown, schema: Schema): boolean {
  switch (schema.type) {
    case "object":
    case "map":
      return isMap(node);
    case "array":
      return isSeq(node);
    case "string":
      return isScalar(node) && typeof node.value === "string";
    case "number":
      return isScalar(node) && typeof node.value === "number";
    case "boolean":
      return isScalar(node) && typeof node.value === "boolean";
    case "union":
      return schema.anyOf.some((s) => fits(node, s));
    default: {
      const never: never = schema;
      return never;
    }
  }
}

/** Tags of plain values: any other (`!!binary`, `!!timestamp`, `!custom`) is refused by name. */
const PLAIN_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Sets an own property, even one named `__proto__` (never the object's prototype). */
function define(target: Record<string, PlainValue>, key: string, value: PlainValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Checks `node` against `schema`, collecting every problem. Unknown keys are errors with a
 * suggestion. Returns the plain value with unknown or invalid parts left out.
 */
export function validateNode<S extends Schema, E extends Schema = Schema>(
  source: SourceFile,
  node: unknown,
  schema: S,
  options: ValidateOptions<E> = {},
): NodeValidation<Infer<S>> {
  const diagnostics: Diagnostic[] = [];
  const each = options.each;
  // `check` follows the schema, so its value has the schema's shape: the kit's only assertions.
  const checked: unknown = check(node, schema, options.path ?? "");
  return { value: checked as Infer<S> | undefined, diagnostics };

  function fail(at: unknown, code: ErrorCode, message: string, hint?: string) {
    diagnostics.push(diagnosticAt(source, at ?? node, code, message, hint));
  }

  function check(n: unknown, s: Schema, where: string): PlainValue | undefined {
    if (each === undefined || s !== each.schema) return checkShape(n, s, where);
    const before = diagnostics.length;
    const value = checkShape(n, s, where);
    const shaped: unknown = value;
    each.seen(n, { value: shaped as Infer<E> | undefined, diagnostics: diagnostics.slice(before) });
    return value;
  }

  function checkShape(n: unknown, s: Schema, where: string): PlainValue | undefined {
    const label = where === "" ? "the file" : `"${where}"`;
    if (isAlias(n)) {
      fail(n, "YAML_ALIAS", `${label}: YAML aliases are not supported here; write the value out`);
      return undefined;
    }
    const tag = isNode(n) ? n.tag : undefined;
    if (typeof tag === "string" && !PLAIN_TAGS.has(tag)) {
      const shown = tag.replace(/^tag:yaml\.org,2002:/, "!!");
      fail(
        n,
        "YAML_TAG",
        `${label} has the YAML tag ${escapeControls(shown.slice(0, 40))}: audience reads plain values only`,
        "remove the tag and write the value as plain text",
      );
      return undefined;
    }
    switch (s.type) {
      case "object": {
        if (!isMap(n)) {
          fail(n, "SCHEMA_TYPE", `${label} must be ${expected(s)}, found ${kindOf(n)}`);
          return undefined;
        }
        const out: Record<string, PlainValue> = {};
        const seen = new Set<string>();
        for (const pair of n.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
          if (key === undefined) {
            fail(pair.key, "SCHEMA_KEY", `${label}: keys must be plain names`);
            continue;
          }
          const child = escapeControls(where === "" ? key : `${where}.${key}`);
          if (seen.has(key)) {
            fail(pair.key, "DUPLICATE_KEY", `"${child}" is given twice`);
            continue;
          }
          seen.add(key);
          // Own keys only: "constructor" or "__proto__" are unknown keys, not Object's.
          const propSchema = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
          if (propSchema === undefined) {
            fail(
              pair.key,
              "UNKNOWN_KEY",
              `unknown key "${child}"${didYouMean(key, Object.keys(s.properties))}`,
              `allowed here: ${Object.keys(s.properties).join(", ")}`,
            );
            continue;
          }
          const v = check(pair.value, propSchema, child);
          if (v !== undefined) define(out, key, v);
        }
        for (const key of s.required ?? []) {
          if (!seen.has(key)) {
            fail(n, "MISSING_KEY", `${label} is missing the required key "${key}"`);
          }
        }
        return out;
      }
      case "map": {
        if (!isMap(n)) {
          fail(n, "SCHEMA_TYPE", `${label} must be ${expected(s)}, found ${kindOf(n)}`);
          return undefined;
        }
        const out: Record<string, PlainValue> = {};
        const pattern = s.keyPattern === undefined ? undefined : new RegExp(s.keyPattern);
        for (const pair of n.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
          const keyName = s.keyName ?? "key";
          if (key === undefined) {
            fail(pair.key, "SCHEMA_KEY", `${label}: each ${keyName} must be a plain name`);
            continue;
          }
          const child = escapeControls(where === "" ? key : `${where}.${key}`);
          if (s.keys && !s.keys.includes(key)) {
            fail(
              pair.key,
              "UNKNOWN_KEY",
              `unknown key "${child}"${didYouMean(key, s.keys)}`,
              `allowed here: ${s.keys.join(", ")}`,
            );
            continue;
          }
          if (pattern && !pattern.test(key)) {
            fail(
              pair.key,
              "BAD_KEY",
              `${keyName} "${key.slice(0, 80)}" is not valid: it must match ${s.keyPattern}`,
            );
            continue;
          }
          // A key whose first value was invalid is not a repeat: the second value is checked.
          if (Object.prototype.hasOwnProperty.call(out, key)) {
            if (s.repeatedKeys !== "caller") {
              fail(pair.key, "DUPLICATE_KEY", `${keyName} "${key}" is given twice`);
            }
            continue;
          }
          const v = check(pair.value, s.values, child);
          if (v !== undefined) define(out, key, v);
        }
        return out;
      }
      case "array": {
        if (!isSeq(n)) {
          fail(n, "SCHEMA_TYPE", `${label} must be ${expected(s)}, found ${kindOf(n)}`);
          return undefined;
        }
        if (s.minItems !== undefined && n.items.length < s.minItems) {
          fail(n, "SCHEMA_RANGE", `${label} needs at least ${s.minItems} item(s)`);
        }
        if (s.maxItems !== undefined && n.items.length > s.maxItems) {
          fail(n, "SCHEMA_RANGE", `${label} takes at most ${s.maxItems} item(s)`);
        }
        const out: PlainValue[] = [];
        n.items.forEach((item, i) => {
          const v = check(item, s.items, `${where}[${i}]`);
          if (v !== undefined) out.push(v);
        });
        return out;
      }
      case "string": {
        if (!isScalar(n) || (typeof n.value !== "string" && typeof n.value !== "number")) {
          fail(n, "SCHEMA_TYPE", `${label} must be ${expected(s)}, found ${kindOf(n)}`);
          return undefined;
        }
        if (typeof n.value === "number" && (s.enum || s.pattern)) {
          fail(n, "SCHEMA_TYPE", `${label} must be ${expected(s)}, found ${kindOf(n)}`);
          return undefined;
        }
        const text = String(n.value);
        if (s.minLength !== undefined && text.trim().length < s.minLength) {
          fail(n, "SCHEMA_EMPTY", `${label} must not be empty`);
          return undefined;
        }
        if (s.enum && !s.enum.includes(text)) {
          fail(
            n,
            "SCHEMA_ENUM",
            `${label} must be one of ${s.enum.join(", ")}, found "${text.slice(0, 40)}"${didYouMean(text, s.enum)}`,
          );
          return undefined;
        }
        if (s.pattern && !new RegExp(s.pattern).test(text)) {
          fail(
            n,
            "SCHEMA_PATTERN",
            `${label} must be ${s.patternName ?? `text matching ${s.pattern}`}, found "${text.slice(0, 40)}"`,
          );
          return undefined;
        }
        return text;
      }
      case "number": {
        if (!isScalar(n) || typeof n.value !== "number" || !Number.isFinite(n.value)) {
          fail(n, "SCHEMA_TYPE", `${label} must be a number, found ${kindOf(n)}`);
          return undefined;
        }
        const v = n.value;
        if (s.integer && !Number.isInteger(v)) {
          fail(n, "SCHEMA_TYPE", `${label} must be a whole number, found ${v}`);
          return undefined;
        }
        if (s.minimum !== undefined && v < s.minimum) {
          fail(n, "SCHEMA_RANGE", `${label} must be at least ${s.minimum}, found ${v}`);
          return undefined;
        }
        if (s.maximum !== undefined && v > s.maximum) {
          fail(n, "SCHEMA_RANGE", `${label} must be at most ${s.maximum}, found ${v}`);
          return undefined;
        }
        return v;
      }
      case "boolean": {
        if (!isScalar(n) || typeof n.value !== "boolean") {
          fail(n, "SCHEMA_TYPE", `${label} must be true or false, found ${kindOf(n)}`);
          return undefined;
        }
        return n.value;
      }
      case "union": {
        const branch = s.anyOf.find((b) => fits(n, b));
        if (branch === undefined) {
          fail(n, "SCHEMA_TYPE", `${label} must be ${expected(s)}, found ${kindOf(n)}`);
          return undefined;
        }
        return check(n, branch, where);
      }
      default: {
        const never: never = s;
        return never;
      }
    }
  }
}

type JsonSchema = { [key: string]: unknown };

/** The JSON Schema (draft-07) of a schema, for editors (yaml-language-server). */
export function toJsonSchema(schema: Schema, title?: string): JsonSchema {
  const root = convert(schema);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    ...(title === undefined ? {} : { title }),
    ...root,
  };

  function convert(s: Schema): JsonSchema {
    const base: JsonSchema = s.description === undefined ? {} : { description: s.description };
    switch (s.type) {
      case "object":
        return {
          ...base,
          type: "object",
          properties: Object.fromEntries(
            Object.entries(s.properties).map(([k, v]) => [k, convert(v)]),
          ),
          ...(s.required && s.required.length > 0 ? { required: [...s.required] } : {}),
          additionalProperties: false,
        };
      case "map":
        if (s.keys) {
          return {
            ...base,
            type: "object",
            properties: Object.fromEntries(s.keys.map((k) => [k, convert(s.values)])),
            additionalProperties: false,
          };
        }
        return {
          ...base,
          type: "object",
          ...(s.keyPattern === undefined ? {} : { propertyNames: { pattern: s.keyPattern } }),
          additionalProperties: convert(s.values),
        };
      case "array":
        return {
          ...base,
          type: "array",
          items: convert(s.items),
          ...(s.minItems === undefined ? {} : { minItems: s.minItems }),
          ...(s.maxItems === undefined ? {} : { maxItems: s.maxItems }),
        };
      case "string":
        return {
          ...base,
          type: "string",
          ...(s.enum ? { enum: [...s.enum] } : {}),
          ...(s.pattern === undefined ? {} : { pattern: s.pattern }),
          ...(s.minLength === undefined ? {} : { minLength: s.minLength }),
        };
      case "number":
        return {
          ...base,
          type: s.integer ? "integer" : "number",
          ...(s.minimum === undefined ? {} : { minimum: s.minimum }),
          ...(s.maximum === undefined ? {} : { maximum: s.maximum }),
        };
      case "boolean":
        return { ...base, type: "boolean" };
      case "union":
        return { ...base, anyOf: s.anyOf.map(convert) };
      default: {
        const never: never = s;
        return never;
      }
    }
  }
}
