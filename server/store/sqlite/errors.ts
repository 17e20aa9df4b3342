/**
 * SQLite failures as the project's one error type. A locked, full, read-only
 * or failing file makes the budget store unavailable (Code.Unavailable, so
 * callers may retry); anything else is a bug and stays as thrown.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import Database from "better-sqlite3";

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/;

export function fromSqliteError(err: unknown): unknown {
  if (err instanceof Database.SqliteError && UNAVAILABLE.test(err.code)) {
    return new ConnectError(`budget store unavailable: ${err.message} (${err.code})`, Code.Unavailable, undefined, undefined, err);
  }
  if (err instanceof TypeError && /database connection is not open/.test(err.message)) {
    return new ConnectError(`budget store unavailable: ${err.message}`, Code.Unavailable, undefined, undefined, err);
  }
  return err;
}
