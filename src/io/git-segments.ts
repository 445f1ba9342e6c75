/**
 * Segment files from a git revision (`audience plan --base origin/main:segments/`): `git cat-file`
 * says whether the path is a folder or a file, `git ls-tree` lists a folder, `git show` reads each
 * file. Run without a shell; the revision and path are arguments, never interpolated.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { UserError } from "../errors.js";
import { isTestFile } from "../segments/parse-test-file.js";
import { decodeTextFile } from "./decode.js";
import { MAX_SEGMENT_FILE_BYTES } from "./segment-files.js";

/** `REV:PATH`: a revision and a path inside it (relative to the repository root, or `./…`). */
export function parseGitSpec(spec: string): { revision: string; path: string } | undefined {
  const colon = spec.indexOf(":");
  if (colon <= 0) return undefined;
  return { revision: spec.slice(0, colon), path: spec.slice(colon + 1) };
}

function git(args: readonly string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...args],
      { cwd, encoding: "buffer", maxBuffer: MAX_SEGMENT_FILE_BYTES * 2, shell: false },
      (error, stdout, stderr) => {
        if (error !== null) {
          const reason =
            (error as NodeJS.ErrnoException).code === "ENOENT"
              ? "git is not installed"
              : (stderr.toString("utf8").trim().split("\n")[0] ?? error.message);
          reject(new Error(reason));
        } else resolve(stdout);
      },
    );
  });
}

/** The `.yaml`/`.yml` segment files at `spec` (a folder: the files directly in it, sorted). */
export async function readGitSegments(
  spec: string,
  cwd: string,
): Promise<{ display: string; text: string }[]> {
  const parsed = parseGitSpec(spec);
  if (parsed === undefined) {
    throw new UserError("BAD_BASE", `--base ${spec}: expected a path, or REVISION:PATH`);
  }
  const fail = (reason: string) =>
    new UserError("GIT_BASE_UNREADABLE", `cannot read --base ${spec} from git: ${reason}`, {
      hint: "in CI, fetch the base branch first (actions/checkout with fetch-depth: 0)",
    });
  const object = `${parsed.revision}:${parsed.path}`;
  let type: string;
  try {
    type = (await git(["cat-file", "-t", object], cwd)).toString("utf8").trim();
  } catch (error) {
    throw fail((error as Error).message);
  }
  let files: string[];
  if (type === "tree") {
    const listing = (
      await git(["ls-tree", "--name-only", object], cwd).catch((e: Error) => {
        throw fail(e.message);
      })
    ).toString("utf8");
    files = listing
      .split("\n")
      .filter((name) => name !== "" && !name.startsWith("."))
      .filter((name) => /\.ya?ml$/i.test(name) && !isTestFile(name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => path.posix.join(parsed.path, name));
  } else if (type === "blob") {
    files = [parsed.path];
  } else {
    throw fail(`${object} is a ${type}, not a file or folder`);
  }
  const out: { display: string; text: string }[] = [];
  for (const file of files) {
    const bytes = await git(["show", `${parsed.revision}:${file}`], cwd).catch((e: Error) => {
      throw fail(e.message);
    });
    const text = decodeTextFile(bytes);
    if (text === undefined) throw fail(`${file} is not UTF-8 text`);
    out.push({ display: `${parsed.revision}:${file}`, text });
  }
  return out;
}
