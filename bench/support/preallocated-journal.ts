import { fsyncSync, openSync, writeSync } from "node:fs";

/** The size of the benches' journal files: four of PostgreSQL's 16 MiB WAL segments. */
export const JOURNAL_BYTES = 64 * 1024 * 1024;

/**
 * Opens `file` as PostgreSQL makes a WAL segment: zero-filled to `bytes` and synced, so that
 * later writes overwrite it in place and no fdatasync has to grow it. Returns the descriptor.
 */
export function openPreallocated(file: string, bytes = JOURNAL_BYTES): number {
  const fd = openSync(file, "w");
  const zeros = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < bytes; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
  fsyncSync(fd);
  return fd;
}
