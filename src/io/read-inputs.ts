/**
 * Reads the inputs of a run, once each and in order (contacts, orders, events, lists), into
 * customer profiles. Only orders is required.
 */
import { open, rename, rm, stat } from "node:fs/promises";
import type { WriteStream } from "node:fs";
import { dirname, basename, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import type { InputKind } from "../config/presets.js";
import type { FilePath, Settings } from "../config/settings.js";
import type { AggregateSpec, PlanExpr } from "../dsl/plan.js";
import { needsPredictions } from "../dsl/env.js";
import type { EpochDay } from "../dsl/types.js";
import { UsageError, UserError } from "../errors.js";
import { ContactsSink } from "../model/ingest-contacts.js";
import { IngestContext, type FileStats, type RowSink } from "../model/ingest-context.js";
import { EventsSink, ListsSink } from "../model/ingest-events.js";
import { OrdersSink } from "../model/ingest-orders.js";
import { Profiles } from "../model/profile.js";
import { insideAudienceOutput } from "./output-guard.js";
import { RejectLog, type RejectRecord } from "../model/rejects.js";
import type { CsvReadResult } from "./csv-reader.js";
import { CsvReaders } from "./read-csv.js";

/** What the plan needs from the data. */
export interface DataNeeds {
  aggregates: readonly AggregateSpec[];
  /** Profile fields used (to keep only the custom properties and lists that are needed). */
  fields: readonly string[];
  ordersFilter?: PlanExpr;
  /** Keep purchase days for the prediction models even if no field asks (`audience predict`). */
  predictions?: boolean;
}

export interface Progress {
  file: string;
  kind: InputKind;
  bytes: number;
  totalBytes: number;
  rows: number;
}

export interface LoadOptions {
  settings: Settings;
  asOf: EpochDay;
  needs: DataNeeds;
  /** Hash the inputs (build manifest). */
  hash?: boolean;
  onProgress?: (progress: Progress) => void;
}

export interface InputReport extends FilePath {
  kind: InputKind;
  read: CsvReadResult;
  stats: FileStats;
}

export interface LoadedData {
  profiles: Profiles;
  rejects: RejectLog;
  inputs: InputReport[];
}

const ORDER: readonly InputKind[] = ["contacts", "orders", "events", "lists"];

export async function loadProfiles(options: LoadOptions): Promise<LoadedData> {
  const { settings, asOf, needs } = options;
  if (settings.inputs.orders === undefined) {
    throw new UsageError(
      "NO_ORDERS",
      "no orders file: pass --orders FILE, or --config with an `orders:` path",
      {
        hint: "with an audience.yaml in the current folder, it is used by default",
      },
    );
  }
  let rejectsFile: RejectsFile | undefined;
  const rejects = new RejectLog({
    strict: settings.strict,
    ...(settings.rejects === undefined
      ? {}
      : { listener: (r: RejectRecord) => rejectsFile?.write(r) }),
  });
  const props = needs.fields
    .filter((f) => f.startsWith("props."))
    .map((f) => f.slice("props.".length));
  const ctx = new IngestContext(
    {
      asOf,
      timezone: settings.timezone,
      ...(settings.defaultCountry === undefined ? {} : { defaultCountry: settings.defaultCountry }),
      ...(settings.dateOrder === undefined ? {} : { dateOrder: settings.dateOrder }),
      decimal: settings.decimal,
      preset: settings.preset,
      columns: settings.columns,
      excludeStatus: settings.excludeStatus,
      aggregates: needs.aggregates,
      props,
      products: needs.fields.includes("products"),
      categories: needs.fields.includes("categories"),
      purchaseDays: needs.predictions === true || needs.fields.some(needsPredictions),
    },
    rejects,
  );

  const inputs: InputReport[] = [];
  const kinds = ORDER.filter((kind) => settings.inputs[kind] !== undefined);
  const readers = new CsvReaders(
    kinds.map((kind) => {
      const input = settings.inputs[kind] as FilePath;
      return {
        path: input.path,
        display: input.display,
        ...(settings.delimiter === undefined ? {} : { delimiter: settings.delimiter }),
      };
    }),
    { hash: options.hash ?? false, project: settings.rejects === undefined },
  );
  try {
    if (settings.rejects !== undefined) {
      rejectsFile = await RejectsFile.open(settings.rejects, [
        ...(settings.configFile === undefined ? [] : [settings.configFile]),
        ...Object.values(settings.inputs),
        ...settings.segments,
      ]);
    }
    for (const [index, kind] of kinds.entries()) {
      const input = settings.inputs[kind] as FilePath;
      let sink: RowSink & { finish?: () => void };
      switch (kind) {
        case "contacts":
          sink = new ContactsSink(ctx, input.display);
          break;
        case "orders":
          sink = new OrdersSink(ctx, input.display, needs.ordersFilter);
          break;
        case "events":
          sink = new EventsSink(ctx, input.display);
          break;
        case "lists":
          sink = new ListsSink(ctx, input.display);
          break;
      }
      const stats = ctx.stats[ctx.stats.length - 1];
      const read = await readers.read(
        index,
        sink,
        options.onProgress === undefined
          ? undefined
          : (bytes: number) =>
              options.onProgress?.({
                file: input.display,
                kind,
                bytes,
                totalBytes: 0,
                rows: stats.rows,
              }),
      );
      sink.finish?.();
      if (read.windows1252Bytes > 0) {
        stats.warnings.push(
          `${input.display} is not valid UTF-8: ${read.windows1252Bytes} byte(s) read as Windows-1252`,
        );
      }
      inputs.push({ ...input, kind, read, stats });
    }
    await rejectsFile?.commit();
  } catch (error) {
    await rejectsFile?.abort();
    throw error;
  } finally {
    await readers.close();
  }
  return { profiles: new Profiles(ctx.store, asOf, settings.rfm), rejects, inputs };
}

/** `--rejects FILE`: every skipped row as CSV (file, line, reason, raw), written all at once at the end. */
class RejectsFile {
  private readonly target: FilePath;
  private readonly temp: string;
  private readonly stream: WriteStream;
  private failed: NodeJS.ErrnoException | undefined;

  private constructor(target: FilePath, temp: string, stream: WriteStream) {
    this.target = target;
    this.temp = temp;
    this.stream = stream;
    this.stream.on("error", (error) => {
      this.failed = error;
    });
    this.stream.write(stringify([["file", "line", "reason", "raw"]]));
  }

  /**
   * Checks the target and opens the temporary file beside it before any data is read: a bad
   * --rejects path fails the run at once, and never replaces one of the run's own files.
   */
  static async open(target: FilePath, protectedFiles: readonly FilePath[]): Promise<RejectsFile> {
    const info = await stat(target.path).catch(() => undefined);
    if (info?.isDirectory()) {
      throw new UsageError("REJECTS_IS_A_FOLDER", `--rejects ${target.display} is a folder`, {
        hint: "give a file name for the rejected rows, e.g. --rejects rejects.csv",
      });
    }
    if (info !== undefined) {
      for (const file of protectedFiles) {
        const other = await stat(file.path).catch(() => undefined);
        if (other !== undefined && other.dev === info.dev && other.ino === info.ino) {
          const same = file.display === target.display ? "" : ` (${file.display})`;
          throw new UsageError(
            "REJECTS_IS_AN_INPUT",
            `--rejects ${target.display} is a file this run reads${same}: it would be overwritten`,
            { hint: "give another file name for the rejected rows, e.g. --rejects rejects.csv" },
          );
        }
      }
    }
    if (await insideAudienceOutput(target.path)) {
      throw new UsageError(
        "REJECTS_IN_OUTPUT",
        `--rejects ${target.display} is inside an output folder of audience: the next build would delete it`,
        { hint: "write the rejected rows beside the output folder, e.g. --rejects rejects.csv" },
      );
    }
    const temp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.tmp`);
    let handle;
    try {
      handle = await open(temp, "w");
    } catch (error) {
      throw rejectsError(target, error as NodeJS.ErrnoException);
    }
    return new RejectsFile(target, temp, handle.createWriteStream());
  }

  write(record: RejectRecord): void {
    this.stream.write(
      stringify([
        [
          record.file,
          String(record.line),
          record.reason,
          stringify([record.fields]).replace(/\r?\n$/, ""),
        ],
      ]),
    );
  }

  async commit(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    try {
      if (this.failed !== undefined) throw this.failed;
      await rename(this.temp, this.target.path);
    } catch (error) {
      await rm(this.temp, { force: true });
      throw rejectsError(this.target, error as NodeJS.ErrnoException);
    }
  }

  async abort(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    await rm(this.temp, { force: true });
  }
}

function rejectsError(target: FilePath, error: NodeJS.ErrnoException): UserError {
  const reasons: Record<string, string> = {
    ENOENT: "its folder does not exist",
    ENOTDIR: "its folder does not exist",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EROFS: "the file system is read-only",
    ENOSPC: "no space left on the device",
    EISDIR: "it is a folder",
  };
  const reason = reasons[error.code ?? ""] ?? error.code ?? error.message;
  return new UserError(
    "REJECTS_UNWRITABLE",
    `cannot write --rejects file ${target.display}: ${reason}`,
  );
}
