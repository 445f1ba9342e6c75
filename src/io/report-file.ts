/**
 * Writes `audience report --html FILE`: under a temporary name beside FILE, then renamed over it,
 * so FILE is either the previous page or the new complete one, never half a page.
 */
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { FilePath } from "../config/settings.js";
import { UsageError, UserError } from "../errors.js";

export async function writeReportFile(
  target: FilePath,
  html: string,
  inputs: readonly FilePath[],
): Promise<void> {
  const info = await stat(target.path).catch(() => undefined);
  if (info?.isDirectory() === true) {
    throw new UsageError("REPORT_IS_A_FOLDER", `--html ${target.display} is a folder`, {
      hint: "give a file name for the page, e.g. --html report.html",
    });
  }
  if (info !== undefined) {
    for (const input of inputs) {
      const other = await stat(input.path).catch(() => undefined);
      if (other !== undefined && other.dev === info.dev && other.ino === info.ino) {
        throw new UsageError(
          "REPORT_IS_AN_INPUT",
          `--html ${target.display} is a file this run reads: it would be overwritten`,
          { hint: "give another file name for the page, e.g. --html report.html" },
        );
      }
    }
  }
  const temp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, html, { flag: "w" });
    await rename(temp, target.path);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" || code === "ENOTDIR"
        ? "its folder does not exist"
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? "permission denied"
          : code === "ENOSPC"
            ? "no space left on the device"
            : (code ?? "unknown error");
    throw new UserError("REPORT_NOT_WRITABLE", `cannot write --html ${target.display}: ${why}`);
  }
}
