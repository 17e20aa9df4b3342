// What building an app may create on disk (a SQLite store file and its folders, an audit
// log's folder), recorded before the build so a rejected config leaves nothing behind: the
// files and folders that did not exist before are removed again. Folders go only when empty.
import { existsSync, rmdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";

/** SQLite's companions of a database file. */
const COMPANIONS = ["", "-wal", "-shm", "-journal"];

export class DiskFootprint {
  private constructor(
    private readonly files: readonly string[],
    private readonly dirs: readonly string[],
  ) {}

  /** Notes which of `files` (and their companions) and of their parent folders are missing now. */
  static before(files: readonly string[]): DiskFootprint {
    const missingFiles: string[] = [];
    const missingDirs = new Set<string>();
    for (const file of files) {
      for (const c of COMPANIONS) if (!existsSync(file + c)) missingFiles.push(file + c);
      for (let dir = dirname(file); !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missingDirs.add(dir);
    }
    // Deepest first, so each folder is empty by the time its parent is tried.
    return new DiskFootprint(missingFiles, [...missingDirs].sort((a, b) => b.length - a.length));
  }

  /** Removes what appeared since before(); best effort (a folder someone else filled stays). */
  undo(): void {
    for (const f of this.files) rmSync(f, { force: true });
    for (const d of this.dirs) {
      try {
        rmdirSync(d);
      } catch {
        // Not empty, or already gone: leave it.
      }
    }
  }
}
