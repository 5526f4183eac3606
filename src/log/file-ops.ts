// The file-system seam of the stats log: node:fs/promises by default, a faulty fake
// in tests (full disk, read-only mount, deleted folder). Opening refuses symlinks.

import { constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';

/** An open file in 'a+' mode: reads serve the crash check, writes always land at the end. */
export interface AppendHandle {
  size(): Promise<number>;
  /** Fills buffer from position on; returns the number of bytes read. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** Writes data from offset on; returns how many bytes went out, which may be fewer. */
  write(data: Uint8Array, offset: number): Promise<number>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
  /**
   * Whether `path` still names this open file. False once the file or its folder
   * was deleted or replaced: writes would then vanish into an unlinked inode.
   */
  isAt?(path: string): Promise<boolean>;
}

export interface FileOps {
  /** mkdir -p; rejects with code ENOTDIR when dir or one of its parents is a file. */
  mkdirp(dir: string): Promise<void>;
  openAppend(path: string): Promise<AppendHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

// O_NOFOLLOW: a symlink planted at the log path (say, to /etc/passwd) is refused
// instead of being appended through. 'a+' semantics otherwise: read, append, create.
const OPEN_FLAGS =
  fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW;

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export function createNodeFileOps(): FileOps {
  return {
    mkdirp: async (dir) => {
      try {
        await fsp.mkdir(dir, { recursive: true });
      } catch (error) {
        // mkdir -p says EEXIST only when dir itself is a file; report it as a parent would be.
        if (codeOf(error) !== 'EEXIST') throw error;
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', cause: error });
      }
    },
    openAppend: async (path) => {
      const fh = await fsp.open(path, OPEN_FLAGS, 0o644);
      return {
        size: async () => (await fh.stat()).size,
        read: async (buffer, position) => (await fh.read(buffer, 0, buffer.length, position)).bytesRead,
        write: async (data, offset) => (await fh.write(data, offset, data.length - offset)).bytesWritten,
        truncate: (length) => fh.truncate(length),
        close: () => fh.close(),
        isAt: async (at) => {
          try {
            const [open, named] = await Promise.all([fh.stat(), fsp.lstat(at)]);
            return open.ino === named.ino && open.dev === named.dev;
          } catch (error) {
            if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return false;
            throw error;
          }
        },
      };
    },
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
  };
}
