/**
 * `manifest.json` of an output folder: its type, owned here, and its writer. The reader that
 * checks a manifest left on disk is beside it (`previous-manifest.ts`) and returns the part of
 * this type a later build uses.
 */
import { formatDay } from "../calendar.js";
import type { InputKind } from "../model/presets.js";
import type { EpochDay } from "../calendar.js";
import type { CutPoints } from "../rfm/compute.js";
import { VERSION } from "../version.js";

/** A file of a build: a plain name inside OUT (or `changes/`) and its hash. */
export interface ManifestFile {
  file: string;
  sha256: string;
}

/** One segment's file, as the manifest records it (and the previous build's manifest gives back). */
export interface ManifestSegment {
  id: string;
  name: string;
  channel: string;
  /** An output profile (`OUTPUT_FORMATS`); a string when read back from disk. */
  format: string;
  /** Whether the identifiers are hashed (--hash with meta or google-ads); absent in older manifests. */
  hashed?: boolean;
  matched: number;
  reachable: number;
  /** With --exclusive: the customers assigned to this segment. */
  assigned?: number;
  written: number;
  file: string;
  sha256: string;
  /** Rows that were not in the previous build's file, and rows of it that are gone; absent in older manifests. */
  entered?: number;
  exited?: number;
  changes?: { entered: ManifestFile; exited: ManifestFile };
  /** With --only: the file is the previous build's, kept as it was. */
  carried_over?: boolean;
}

interface ManifestInput {
  kind: InputKind;
  path: string;
  /** A table input's database URL, without its password. */
  database?: string;
  sha256: string | null;
  bytes: number;
  rows_read: number;
  /** Reason → rows skipped for it. */
  rows_skipped: Record<string, number>;
}

export interface Manifest {
  tool: "audience";
  version: string;
  generated_at: string;
  as_of: string;
  timezone: string;
  /** The engine the build ran in (docs/design.md#engines): the only field two engines' manifests differ by. */
  engine: string;
  exclusive: boolean;
  /** `--hash` of the whole build (each segment's `hashed` says what its file holds). */
  hash: boolean;
  customers: number;
  buyers: number;
  inputs: ManifestInput[];
  segment_files: string[];
  segments: ManifestSegment[];
  rfm: { cut_points: CutPoints };
  /** The report page written beside the segment files. */
  report: ManifestFile;
}

/** What a build knows when it writes its manifest. */
export interface ManifestSource {
  builtAt: Date;
  asOf: EpochDay;
  timezone: string;
  engine: string;
  exclusive: boolean;
  hash: boolean;
  customers: number;
  buyers: number;
  inputs: readonly {
    kind: InputKind;
    display: string;
    database?: string;
    read: { sha256?: string; bytes: number; rows: number };
  }[];
  /** File (display name) → reason → rows skipped. */
  rejectedByFile: Record<string, Record<string, number>>;
  segmentFiles: readonly string[];
  segments: readonly ManifestSegment[];
  cutPoints: CutPoints;
  report: ManifestFile;
}

export function buildManifest(source: ManifestSource): Manifest {
  return {
    tool: "audience",
    version: VERSION,
    generated_at: source.builtAt.toISOString(),
    as_of: formatDay(source.asOf),
    timezone: source.timezone,
    engine: source.engine,
    exclusive: source.exclusive,
    hash: source.hash,
    customers: source.customers,
    buyers: source.buyers,
    inputs: source.inputs.map((input) => ({
      kind: input.kind,
      path: input.display,
      ...(input.database === undefined ? {} : { database: input.database }),
      sha256: input.read.sha256 ?? null,
      bytes: input.read.bytes,
      rows_read: input.read.rows,
      rows_skipped: source.rejectedByFile[input.display] ?? {},
    })),
    segment_files: [...source.segmentFiles],
    segments: source.segments.map((s) => ({ ...s })),
    rfm: { cut_points: source.cutPoints },
    report: source.report,
  };
}
