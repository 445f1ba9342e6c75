/**
 * A throwaway PostgreSQL server for tests: a new cluster in a temporary folder, listening on a free
 * loopback port, stopped and deleted by `stop()`. The server refuses to run as root, so under root
 * the cluster belongs to the `postgres` user (created by Debian's package) and every server
 * command runs through `runuser`. `.ci/run` installs the package when the binaries are missing.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const ROOT = "/usr/lib/postgresql";

/** The bin folder of the newest PostgreSQL installed, or why there is none. */
export function postgresBin(): { bin: string } | { missing: string } {
  const versions = existsSync(ROOT)
    ? readdirSync(ROOT)
        .filter((v) => existsSync(join(ROOT, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    return {
      missing: `no PostgreSQL server binaries in ${ROOT}/*/bin (apt-get install postgresql)`,
    };
  return { bin: join(ROOT, versions[0], "bin") };
}

export interface TestPostgres {
  /** postgres://audience@127.0.0.1:PORT/audience (trust authentication, loopback only). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; throws with the server's log when it does not come up. */
export async function startPostgres(): Promise<TestPostgres> {
  const found = postgresBin();
  if ("missing" in found) throw new Error(found.missing);
  const asRoot = userInfo().uid === 0;
  const dir = await mkdtemp(join(tmpdir(), "audience-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const server = (command: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(found.bin, command), ...args])
      : run(join(found.bin, command), args);
  await server("initdb", [
    "-D",
    data,
    "-U",
    "audience",
    "--auth=trust",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  const port = await freePort();
  try {
    await server("pg_ctl", [
      "-D",
      data,
      "-l",
      log,
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
      "start",
    ]);
    await server("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "audience", "audience"]);
  } catch (error) {
    const text = existsSync(log) ? await readFile(log, "utf8") : "(no server log)";
    await rm(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${String(error)}\n${text}`);
  }
  return {
    url: `postgres://audience@127.0.0.1:${port}/audience`,
    port,
    async stop() {
      try {
        await server("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
