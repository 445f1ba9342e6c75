import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * `mkdir -p` one level at a time. Node's own recursive mkdir loops forever on some special file
 * systems (it retries under /proc), which would hang a cron job instead of failing it.
 */
export async function makeFolders(path: string): Promise<void> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory()) {
        throw Object.assign(new Error(`${current} is not a folder`), { code: "ENOTDIR" });
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      missing.push(current);
      const up = dirname(current);
      if (up === current) break;
      current = up;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
