/**
 * The one entry point of the packages context's pure core: turn an uploaded zip, an unzipped
 * folder or a bare cmi5.xml into a course model, with the files laid out in `targetDir`.
 * No HTTP, no database: the caller stores the model and the files.
 *
 * All-or-nothing: when the result is not ok, `targetDir` holds nothing we wrote (it is
 * removed if we created it, emptied otherwise).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CourseModel } from './course-model.js';
import { detectPackage, scormVersionOf } from './detect.js';
import { parseCmi5 } from './cmi5-parser.js';
import { directoryFiles, type PackageFiles } from './package-files.js';
import { PackageRejected, type Problem } from './problem.js';
import { copyPackageDirectory, emptyDirectory, extractZip, type ExtractLimits, type ExtractedFiles } from './safe-extract.js';
import { parseScorm12Manifest, type ParseResult } from './scorm12-parser.js';
import { parseScorm2004Manifest } from './scorm2004-parser.js';
import { parseTincan } from './tincan-parser.js';
import { DEFAULT_MAX_XML_BYTES, parseXml } from './xml.js';

export type PackageSource = { readonly zipPath: string } | { readonly directory: string } | { readonly xmlPath: string };

export interface InspectOptions {
  /** Extraction limits (entries, sizes, ratio); defaults in `DEFAULT_EXTRACT_LIMITS`. */
  readonly limits?: Partial<ExtractLimits>;
  /** Largest descriptor accepted, in bytes. Default 5 MB. */
  readonly maxXmlBytes?: number;
  /** When false, a launch file missing from the package is a warning, not an error. Default true. */
  readonly requireLaunchFiles?: boolean;
}

export type InspectResult =
  | { readonly ok: true; readonly model: CourseModel; readonly warnings: Problem[]; readonly files: string[] }
  | { readonly ok: false; readonly errors: Problem[]; readonly warnings: Problem[] };

async function isEmptyOrMissing(dir: string): Promise<{ exists: boolean; empty: boolean }> {
  try {
    const entries = await fsp.readdir(dir);
    return { exists: true, empty: entries.length === 0 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, empty: true };
    throw error;
  }
}

/** Copies a bare cmi5.xml into the target directory. */
async function placeBareXml(xmlPath: string, targetDir: string, maxXmlBytes: number): Promise<{ extracted: ExtractedFiles; bytes: Buffer }> {
  const name = path.basename(xmlPath);
  const stat = await fsp.stat(xmlPath);
  if (stat.size > maxXmlBytes) {
    throw new PackageRejected([{ file: name, code: 'xml-too-large', message: `${name} is ${stat.size} bytes; descriptors larger than ${maxXmlBytes} bytes are refused.` }]);
  }
  const bytes = await fsp.readFile(xmlPath);
  await fsp.mkdir(targetDir, { recursive: true });
  await fsp.writeFile(path.join(targetDir, 'cmi5.xml'), bytes, { flag: 'wx', mode: 0o644 });
  return { extracted: { files: ['cmi5.xml'], ignored: [], warnings: [] }, bytes };
}

function parseDescriptor(kind: 'cmi5' | 'scorm' | 'xapi', descriptor: string, files: PackageFiles, options: InspectOptions, bare: boolean, maxXmlBytes: number): ParseResult {
  const bytes = files.read(descriptor, maxXmlBytes);
  if (bytes === undefined) {
    const size = files.size(descriptor);
    throw new PackageRejected([{ file: descriptor, code: 'xml-too-large', message: `${descriptor} is ${size ?? '?'} bytes; descriptors larger than ${maxXmlBytes} bytes are refused.` }]);
  }
  const root = parseXml(bytes, descriptor, { maxBytes: maxXmlBytes });
  const common = { file: descriptor, ...(options.requireLaunchFiles !== undefined ? { requireLaunchFiles: options.requireLaunchFiles } : {}) };
  switch (kind) {
    case 'cmi5':
      return parseCmi5(root, files, { ...common, bare });
    case 'xapi':
      return parseTincan(root, files, common);
    case 'scorm': {
      const version = scormVersionOf(root);
      if (version.format === 'scorm12') {
        const result = parseScorm12Manifest(root, files, { ...common, maxXmlBytes });
        if (version.note === undefined) return result;
        const note: Problem = { file: descriptor, code: 'scorm-version-assumed', message: version.note };
        return { ...result, warnings: [note, ...result.warnings] };
      }
      return parseScorm2004Manifest(root, files, { ...common, maxXmlBytes });
    }
  }
}

/**
 * Inspects a package: extracts it safely into `targetDir` (which must be empty or absent),
 * detects its format, parses its descriptor, and checks its launch files.
 */
export async function inspectPackage(source: PackageSource, targetDir: string, options: InspectOptions = {}): Promise<InspectResult> {
  const maxXmlBytes = options.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
  const target = path.resolve(targetDir);
  const before = await isEmptyOrMissing(target);
  if (!before.empty) throw new Error(`inspectPackage: target directory ${target} is not empty`);
  const warnings: Problem[] = [];
  const cleanUp = async (): Promise<void> => {
    if (before.exists) await emptyDirectory(target);
    else await fsp.rm(target, { recursive: true, force: true });
  };
  try {
    let extracted: ExtractedFiles;
    const bare = 'xmlPath' in source;
    if ('zipPath' in source) extracted = await extractZip(source.zipPath, target, options.limits);
    else if ('directory' in source) extracted = await copyPackageDirectory(source.directory, target, options.limits);
    else {
      const placed = await placeBareXml(source.xmlPath, target, maxXmlBytes);
      extracted = placed.extracted;
      const root = parseXml(placed.bytes, path.basename(source.xmlPath), { maxBytes: maxXmlBytes });
      if (root.name !== 'courseStructure') {
        throw new PackageRejected([{ file: path.basename(source.xmlPath), code: 'bare-xml-unsupported', message: `Only a cmi5 course structure (cmi5.xml) can be imported without a zip; this file's root element is <${root.name}>. Upload the whole package as a zip.` }]);
      }
    }
    const files: PackageFiles = directoryFiles(target, extracted.files);
    warnings.push(...extracted.warnings);
    if (extracted.ignored.length > 0) {
      warnings.push({ code: 'junk-ignored', message: `${extracted.ignored.length} operating-system junk entr${extracted.ignored.length === 1 ? 'y was' : 'ies were'} skipped (${extracted.ignored.slice(0, 3).join(', ')}${extracted.ignored.length > 3 ? ', …' : ''}).` });
    }
    if (extracted.rootFolder !== undefined) {
      warnings.push({ code: 'root-folder-unwrapped', message: `Everything was inside the folder "${extracted.rootFolder}/", which was taken as the package root.` });
    }
    const detection = detectPackage(extracted.files);
    if (!detection.ok) {
      await cleanUp();
      return { ok: false, errors: detection.errors, warnings };
    }
    warnings.push(...detection.warnings);
    const parsed = parseDescriptor(detection.kind, detection.descriptor, files, options, bare, maxXmlBytes);
    if (!parsed.ok) {
      await cleanUp();
      return { ok: false, errors: parsed.errors, warnings: [...warnings, ...parsed.warnings] };
    }
    return { ok: true, model: parsed.model, warnings: [...warnings, ...parsed.warnings], files: extracted.files };
  } catch (error) {
    await cleanUp();
    if (error instanceof PackageRejected) return { ok: false, errors: [...error.problems], warnings };
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(sourcePath(source))) {
      return { ok: false, errors: [{ code: 'source-missing', message: `The uploaded file ${path.basename(sourcePath(source))} does not exist.` }], warnings };
    }
    throw error;
  }
}

function sourcePath(source: PackageSource): string {
  return 'zipPath' in source ? source.zipPath : 'directory' in source ? source.directory : source.xmlPath;
}
