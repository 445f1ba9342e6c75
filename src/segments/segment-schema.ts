/**
 * The shape of a segment file (docs/design.md#segment-files), in the schema kit of src/yaml/schema.ts. The loader
 * validates YAML against it and scripts/generate-schemas.mjs turns it into
 * schemas/segments.schema.json for editors, so the descriptions below are what users see.
 */
import type { ArraySchema, Infer, ObjectSchema, StringSchema } from "../yaml/schema.js";
import { CHANNELS, CONSENT_MODES, OUTPUT_FORMATS, SEGMENT_ID_PATTERN } from "./definition.js";

/** `40%`, `12.5%`: a guard's max_change. */
export const PERCENT_PATTERN = "^[0-9]+(\\.[0-9]+)?%$";

/** Custom contact columns usable as output columns: `props.` and the header in snake_case. */
export const PROPS_COLUMN_PATTERN = "^props\\.[a-z_][a-z0-9_]*$";

const channel = (description: string) =>
  ({
    type: "string",
    enum: CHANNELS,
    description,
  }) as const satisfies StringSchema;

const consent = (description: string) =>
  ({
    type: "string",
    enum: CONSENT_MODES,
    description,
  }) as const satisfies StringSchema;

const format = (description: string) =>
  ({
    type: "string",
    enum: OUTPUT_FORMATS,
    description,
  }) as const satisfies StringSchema;

const columns = (description: string) =>
  ({
    type: "array",
    description,
    items: {
      type: "string",
      minLength: 1,
      description:
        "A customer profile field (orders_count, last_product, rfm_segment, p_alive, predicted_spend, …) or props.NAME for a custom contact column (NAME = the column header in snake_case).",
    },
  }) as const satisfies ArraySchema;

const exclude = (description: string) =>
  ({
    type: "array",
    description,
    items: {
      type: "string",
      pattern: SEGMENT_ID_PATTERN,
      patternName: "a segment id",
      description: "The id of a segment, in this file or another one.",
    },
  }) as const satisfies ArraySchema;

const guard = (description: string) =>
  ({
    type: "object",
    description,
    properties: {
      min: {
        type: "number",
        integer: true,
        minimum: 0,
        description: "The build stops (exit 3) when fewer customers than this are reachable.",
      },
      max: {
        type: "number",
        integer: true,
        minimum: 0,
        description: "The build stops (exit 3) when more customers than this are reachable.",
      },
      max_change: {
        type: "string",
        pattern: PERCENT_PATTERN,
        patternName: "a percentage such as 40%",
        description:
          "The build stops (exit 3) when the number of reachable customers moved by more than this percentage, up or down, since the previous run's manifest in the output folder. Between 0% and 1000%.",
      },
    },
  }) as const satisfies ObjectSchema;

const SEGMENT_SCHEMA = {
  type: "object",
  description: "One segment. Its id (the key) is also the name of its output file, <id>.csv.",
  required: ["where"],
  properties: {
    name: {
      type: "string",
      minLength: 1,
      description: "A readable name for reports (default: the id).",
    },
    description: {
      type: "string",
      description: "What the segment is for; shown to nobody but the next reader of this file.",
    },
    where: {
      type: "union",
      description:
        'Who is in the segment: an expression over the customer profile, e.g. orders_count >= 1 and last_order_date < -6m. Quote it, or write it as a block (where: | on its own line), when it contains ": " or starts with a quote. true selects every customer.',
      anyOf: [{ type: "string", minLength: 1, format: "expression" }, { type: "boolean" }],
    },
    channel: channel(
      "How the audience is contacted, which decides who is reachable: email needs an email address, sms and whatsapp an E.164 phone, any either one, none reaches every member by customer_id. Default: email.",
    ),
    consent: consent(
      "required (default): only customers who consent to the channel are reachable. ignore: for transactional messages only.",
    ),
    exclude: exclude(
      "Segments whose members are removed from this one (their where minus their own exclude).",
    ),
    columns: columns("Extra output columns, after the columns of the output format."),
    priority: {
      type: "number",
      integer: true,
      description:
        "Order in --exclusive mode, where a customer is written only to the first segment that reaches them: lower numbers first. Default: order of appearance, after the segments that have a priority.",
    },
    guard: guard("Safety limits checked before any output file is replaced."),
    format: format("Output format of this segment's file (default: --format, else generic)."),
  },
} as const satisfies ObjectSchema;

const DEFAULTS_SCHEMA = {
  type: "object",
  description:
    "Values for every segment of this file that does not set them. A segment's own value replaces the default, except guard, whose keys are merged one by one. A default exclude is not applied to the segments it names.",
  properties: {
    channel: channel("Default channel: email, sms, whatsapp, any or none."),
    consent: consent("Default consent mode: required or ignore."),
    exclude: exclude("Segments removed from every segment of this file."),
    columns: columns("Default extra output columns."),
    guard: guard("Default safety limits."),
    format: format("Default output format."),
  },
} as const satisfies ObjectSchema;

/** The title of schemas/segments.schema.json. */
export const SEGMENT_FILE_SCHEMA_TITLE = "audience segment file";

export const SEGMENT_FILE_SCHEMA = {
  type: "object",
  description: "An audience segment file: segment definitions, keyed by segment id.",
  required: ["segments"],
  properties: {
    defaults: DEFAULTS_SCHEMA,
    segments: {
      type: "map",
      keyName: "segment id",
      keyPattern: SEGMENT_ID_PATTERN,
      description:
        "The segments, keyed by id: lowercase letters, digits, - and _, starting with a letter or digit, at most 64 characters, unique across all segment files.",
      values: SEGMENT_SCHEMA,
      // A repeated id is the segment graph's to report, like one repeated in two files.
      repeatedKeys: "caller",
    },
  },
} as const satisfies ObjectSchema;

/** The schema of one segment (the values of `segments:`), validated entry by entry. */
export const SEGMENT_ENTRY_SCHEMA = SEGMENT_SCHEMA;

/** One segment as written: what `validateNode` returns for an entry (invalid parts left out). */
export type SegmentEntry = Infer<typeof SEGMENT_ENTRY_SCHEMA>;

/** The `defaults:` of a segment file as written. */
export type SegmentDefaults = Infer<typeof DEFAULTS_SCHEMA>;
