import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { PackageFileStore } from './ports.js';

/**
 * Package files on the local filesystem: `DATA_DIR/packages/<key>/…`, extraction in `DATA_DIR/staging/`
 * on the same volume so adopting a directory is one atomic rename.
 */
export function createFilesystemPackageFiles(dataDir: string): PackageFileStore {
  const root = path.join(dataDir, 'packages');
  const staging = path.join(dataDir, 'staging');

  /** The absolute path of a file of a key; null when the path would leave the key's directory. */
  function locate(key: string, relativePath: string): string | null {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) return null;
    const base = path.join(root, key);
    const target = path.resolve(base, ...relativePath.split('/').filter((part) => part !== ''));
    return target === base || target.startsWith(base + path.sep) ? target : null;
  }

  return {
    async adopt(key, directory) {
      const target = locate(key, '');
      if (!target) throw new Error(`invalid package file key ${key}`);
      await fsp.mkdir(root, { recursive: true });
      try {
        await fsp.rename(directory, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        // Another volume: copy to a temporary name, then rename, so the key appears whole or not at all.
        const temporary = `${target}.partial-${randomUUID()}`;
        await fsp.cp(directory, temporary, { recursive: true });
        await fsp.rename(temporary, target);
        await fsp.rm(directory, { recursive: true, force: true });
      }
    },
    async stat(key, relativePath) {
      const file = locate(key, relativePath);
      if (!file) return null;
      try {
        const info = await fsp.stat(file);
        return info.isFile() ? { sizeBytes: info.size, modifiedMs: info.mtimeMs } : null;
      } catch {
        return null;
      }
    },
    read(key, relativePath, range) {
      const file = locate(key, relativePath);
      if (!file) throw new Error(`${relativePath} is outside package ${key}`);
      return fs.createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },
    async remove(key) {
      const target = locate(key, '');
      if (target) await fsp.rm(target, { recursive: true, force: true });
    },
    async stagingDirectory() {
      await fsp.mkdir(staging, { recursive: true });
      return path.join(staging, randomUUID());
    },
  };
}
