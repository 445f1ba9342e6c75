/**
 * A segment as the rest of audience sees it (docs/design.md#segment-files): parsed, defaults merged, `where` checked.
 * `SegmentDefinition` comes out of the segment-file loader; `planSegments` compiles definitions
 * into a `SegmentPlan` for a given as_of.
 */
import type { CheckedExpr } from "../dsl/index.js";
import type { AggregateSpec, PlanExpr } from "../dsl/plan.js";
import type { EpochDay } from "../calendar.js";
import type { SourceLocation } from "../source-file.js";

export const CHANNELS = ["email", "sms", "whatsapp", "any", "none"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CONSENT_MODES = ["required", "ignore"] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

export const OUTPUT_FORMATS = [
  "generic",
  "klaviyo",
  "mailchimp",
  "brevo",
  "meta",
  "google-ads",
] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `^[a-z0-9][a-z0-9_-]{0,63}$`: also the output file name, so no dots, slashes or capitals. */
export const SEGMENT_ID_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$";

export interface SegmentGuard {
  min?: number;
  max?: number;
  /** A fraction: `max_change: 40%` → 0.4. */
  maxChange?: number;
}

/** A use of another segment's id, from `in_segment("id")` in `where` or from `exclude`. */
export interface SegmentReference {
  id: string;
  via: "in_segment" | "exclude";
  location: SourceLocation;
}

/**
 * What the segment graph needs of a segment: its id, where it is declared and what it refers to.
 * Every segment id the loader saw has one, including segments whose definition has errors, so a
 * reference to a broken segment is not also reported as a reference to an unknown one.
 */
export interface DeclaredSegment {
  id: string;
  file: string;
  /** Appearance index across all files, in the order the files are given. */
  order: number;
  /** Of the id key. */
  location: SourceLocation;
  references: SegmentReference[];
}

export interface SegmentDefinition extends DeclaredSegment {
  /** `name:`, else the id. */
  name: string;
  description?: string;
  /** The expression as written (the YAML scalar's value). */
  whereText: string;
  where: CheckedExpr;
  exclude: string[];
  channel: Channel;
  consent: ConsentMode;
  /** Extra output columns: profile fields, or `props.NAME`. */
  columns: string[];
  priority?: number;
  guard: SegmentGuard;
  format?: OutputFormat;
}

export interface CompiledSegment extends Omit<SegmentDefinition, "where"> {
  where: PlanExpr;
}

export interface SegmentPlan {
  asOf: EpochDay;
  /** Every aggregate any segment uses, shared: `aggregate` nodes index into this list. */
  aggregates: AggregateSpec[];
  /** In appearance order. */
  segments: CompiledSegment[];
  /** Segment ids, every dependency (in_segment, exclude) before its dependents. */
  evaluationOrder: string[];
  /** Profile fields (and "props.NAME") used by any `where` or `columns`, sorted. */
  fields: string[];
}
