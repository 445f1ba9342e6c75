/**
 * The environments an expression is checked against: which names exist, their types, and which
 * functions may be called. `PROFILE_ENV` is the customer profile of docs/design.md#profile (segment `where:`);
 * `ORDER_ROW_ENV` is one raw order row with its canonical columns (`orders_filter:` in the config).
 */
import { FUNCTIONS, FUNCTION_NAMES, type FunctionName } from "./functions/index.js";
import { parsePredictionField } from "./functions/prediction.js";
import { isProfileField, PROFILE_FIELD_TABLE } from "../model/fields.js";
import { ORDER_COLUMN_TABLE, ORDER_COLUMNS } from "../model/order-columns.js";
import type { ValueType } from "./types.js";

export type { FunctionName } from "./functions/index.js";
export { parsePredictionField } from "./functions/prediction.js";

export interface FieldInfo {
  type: Exclude<ValueType, "null" | "duration">;
  /** Whether the field can be null (absent) for some customers. */
  nullable: boolean;
  description: string;
}

export interface Environment {
  /** "profile" or "order row", for messages. */
  name: string;
  fields: ReadonlyMap<string, FieldInfo>;
  functions: ReadonlySet<FunctionName>;
  /** Whether `props.NAME` (custom contact columns) may be used. */
  props: boolean;
}

/** The profile fields (`PROFILE_FIELD_TABLE`, model/fields.ts), as the checker sees them. */
export const PROFILE_FIELDS: ReadonlyMap<string, FieldInfo> = new Map(
  Object.entries(PROFILE_FIELD_TABLE).map(([name, field]): [string, FieldInfo] => [
    name,
    { type: field.type, nullable: field.nullable, description: field.description },
  ]),
);

/** Whether a profile field (as a plan lists it) needs the prediction models fitted. */
export function needsPredictions(name: string): boolean {
  if (parsePredictionField(name) !== undefined) return true;
  return isProfileField(name) && PROFILE_FIELD_TABLE[name].predictions === true;
}

/** The canonical order columns (`ORDER_COLUMN_TABLE`, model/order-columns.ts) `orders_filter` sees. */
export const ORDER_ROW_FIELDS: ReadonlyMap<string, FieldInfo> = new Map(
  ORDER_COLUMNS.filter((name) => ORDER_COLUMN_TABLE[name].filter).map(
    (name): [string, FieldInfo] => {
      const { type, description } = ORDER_COLUMN_TABLE[name];
      return [name, { type, nullable: true, description }];
    },
  ),
);

export const PROFILE_ENV: Environment = {
  name: "customer profile",
  fields: PROFILE_FIELDS,
  functions: new Set<FunctionName>(FUNCTION_NAMES),
  props: true,
};

export const ORDER_ROW_ENV: Environment = {
  name: "order row",
  fields: ORDER_ROW_FIELDS,
  functions: new Set<FunctionName>(FUNCTION_NAMES.filter((name) => FUNCTIONS[name].orderRows)),
  props: false,
};
