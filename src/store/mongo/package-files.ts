/**
 * Package files in GridFS (bucket `package_files`), so every app process serves every course without a shared
 * filesystem. A key exists once its `package_keys` document exists, written after all its files: a reader
 * never sees half a package, and an interrupted adoption leaves only files no key points to (removed on retry).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, type GridFSFile } from 'mongodb';
import type { PackageFileStore } from '../ports.js';
import type { MongoContext } from './database.js';
import { collectionNames, PACKAGE_FILES_BUCKET, type PackageFileMetadata, type PackageKeyDocument } from './documents-model.js';

/** A package file's `/`-separated path, normalised; null when it would leave its key (`..`) or is empty. */
export function normalizePackagePath(relativePath: string): string | null {
  const parts: string[] = [];
  for (const part of relativePath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : null;
}

const validKey = (key: string) => /^[A-Za-z0-9_-]+$/.test(key);

/** The GridFS files of one upload of a key at a path. */
export const packageFileFilter = (key: string, upload: string, relativePath: string) => ({
  'metadata.key': key,
  'metadata.upload': upload,
  'metadata.path': relativePath,
});

async function* filesUnder(directory: string, prefix = ''): AsyncGenerator<{ absolute: string; relative: string }> {
  for (const entry of await fsp.readdir(directory, { withFileTypes: true })) {
    const absolute = path.join(directory, entry.name);
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* filesUnder(absolute, relative);
    else if (entry.isFile()) yield { absolute, relative };
  }
}

export function createGridFsPackageFiles(context: MongoContext, stagingRoot = path.join(os.tmpdir(), 'cadet-staging')): PackageFileStore {
  const bucket = () => new GridFSBucket(context.db, { bucketName: PACKAGE_FILES_BUCKET, writeConcern: { w: 'majority' } });
  const keys = () => context.collection<PackageKeyDocument>(collectionNames.packageKeys);
  const files = () => context.collection<GridFSFile>(`${PACKAGE_FILES_BUCKET}.files` as never);

  async function removeUpload(key: string, keep: string | null): Promise<void> {
    const stale = await files().find({ 'metadata.key': key, ...(keep !== null && { 'metadata.upload': { $ne: keep } }) }, { projection: { _id: 1 } }).toArray();
    for (const file of stale) await bucket().delete(file._id).catch(() => {});
  }

  async function locate(key: string, relativePath: string): Promise<GridFSFile | null> {
    const normal = normalizePackagePath(relativePath);
    if (!validKey(key) || normal === null) return null;
    const adopted = await keys().findOne({ _id: key });
    if (!adopted) return null;
    return files().findOne(packageFileFilter(key, adopted.upload, normal));
  }

  return {
    async adopt(key, directory) {
      if (!validKey(key)) throw new Error(`invalid package file key ${key}`);
      const upload = randomUUID();
      let fileCount = 0;
      let sizeBytes = 0;
      try {
        for await (const { absolute, relative } of filesUnder(directory)) {
          const info = await fsp.stat(absolute);
          const metadata: PackageFileMetadata = { key, path: relative, upload, modifiedMs: info.mtimeMs };
          await pipeline(fs.createReadStream(absolute), bucket().openUploadStream(`${key}/${relative}`, { metadata }));
          fileCount += 1;
          sizeBytes += info.size;
        }
        await keys().updateOne({ _id: key }, { $set: { upload, fileCount, sizeBytes, adoptedMs: Date.now() } }, { upsert: true });
      } catch (error) {
        await removeUpload(key, (await keys().findOne({ _id: key }))?.upload ?? null).catch(() => {});
        throw error;
      }
      // Files of an earlier upload of the same key (a retried adoption) are no longer reachable: remove them.
      await removeUpload(key, upload);
      await fsp.rm(directory, { recursive: true, force: true });
    },
    async stat(key, relativePath) {
      const file = await locate(key, relativePath);
      if (!file) return null;
      const metadata = file.metadata as PackageFileMetadata | undefined;
      return { sizeBytes: file.length, modifiedMs: metadata?.modifiedMs ?? file.uploadDate.getTime() };
    },
    read(key, relativePath, range) {
      // The port returns a stream at once; the file is looked up first, then its chunks flow into it.
      const out = new PassThrough();
      locate(key, relativePath).then(
        (file) => {
          if (!file) {
            out.destroy(new Error(`${relativePath} is not a file of package ${key}`));
            return;
          }
          // GridFS `end` is exclusive; the port's range is inclusive (HTTP Range).
          const download = bucket().openDownloadStream(file._id, range ? { start: range.start, end: range.end + 1 } : {});
          download.on('error', (error) => out.destroy(error));
          download.pipe(out);
        },
        (error: Error) => out.destroy(error),
      );
      return out;
    },
    async remove(key) {
      if (!validKey(key)) return;
      await keys().deleteOne({ _id: key });
      await removeUpload(key, null);
    },
    async stagingDirectory() {
      // Extraction happens on local disk; `adopt` uploads from it, so it need not be shared between processes.
      await fsp.mkdir(stagingRoot, { recursive: true });
      return path.join(stagingRoot, randomUUID());
    },
  };
}
