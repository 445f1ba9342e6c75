/**
 * What the profile build of `--engine duckdb` made of the staged inputs, kept between runs in the
 * load cache (cache.ts) beside each kind's staging (staged-cache.ts): the tables the compiled
 * segment statement and the profile reader read (src/sql/tables.ts), the warnings the build adds,
 * and, as the entry's meta, the build's counts and the input summary's per-file counts
 * (../sql-run.ts decides what goes in). A second run on unchanged exports with the same settings
 * then skips the staging restore, the identity passes, the profile build and the per-file counts.
 *
 * One entry, kind `profiles`, replaced by each store. Its key is every input file (path, size,
 * mtime, sha256), the staging key of each kind with the files it covers — so a changed file or
 * loading setting misses — and the SQL run's own text of everything else that changes the build
 * (as_of, RFM settings, currency, the columns built, whether phones are checked for texts).
 */
import type { ProfileCache } from "../sql-run.js";
import type { LoadCache } from "./cache.js";

export class CachedProfiles implements ProfileCache {
  constructor(
    private readonly cache: LoadCache,
    /** Every input file of the run, in reading order. */
    private readonly paths: readonly string[],
    /** Each file's size and mtime when the run started reading: a file changed since is not stored. */
    private readonly before: readonly { size: number; mtimeMs: number }[],
    /** The staging keys of the run's kinds, with the files each covers, as one text. */
    private readonly staging: string,
  ) {}

  async lookup(
    key: string,
  ): Promise<{ tables: ReadonlyMap<string, string>; meta: string } | undefined> {
    const hit = await this.cache.lookup("profiles", this.paths, this.settings(key));
    return hit === undefined ? undefined : { tables: hit.tables, meta: hit.meta };
  }

  async save(key: string, tables: readonly string[], meta: string): Promise<void> {
    await this.cache.store("profiles", this.paths, this.before, this.settings(key), tables, meta);
  }

  private settings(key: string): string {
    return JSON.stringify({ staging: this.staging, build: key });
  }
}
