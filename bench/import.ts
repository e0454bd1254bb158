/**
 * Importing a large package with the real CLI (`cadet import <zip> --json`, a child process on a fresh
 * DATA_DIR): wall time and the child's peak RSS, beside the time `unzip -q` takes to unpack the same zip on the
 * same disk (the ceiling: any import must at least do that).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMb, progress } from './measure.js';
import { findExecutable, generatePackage, zipDirectory, type PackageSpec } from './package-generator.js';
import { memoryOf, trackChild } from './server-process.js';

const cliPath = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const demoCourse = fileURLToPath(new URL('../../content-packages/scorm12-evidence-handling', import.meta.url));

export interface ImportOptions extends PackageSpec {
  /** Longest an import (or the ceiling's unzip) may take before it is killed and the stage fails. */
  readonly timeCapMs: number;
}

export interface RunMeasure {
  readonly seconds: number;
  readonly peakRssBytes: number | null;
  /** How the peak was read: `/usr/bin/time -v`, or polling VmHWM every 50 ms (can miss a spike in the last 50 ms). */
  readonly peakFrom: 'time -v' | 'VmHWM poll' | 'none';
}

export interface ImportResult {
  readonly zipBytes: number;
  readonly entries: number;
  readonly uncompressedBytes: number;
  readonly zippedWith: string;
  readonly import: RunMeasure;
  /** The import's own answer: course slug, version, file count. */
  readonly imported: { course: string; version: number; files: number };
  readonly ceiling: RunMeasure & { readonly tool: 'unzip -q' | 'copy' };
  /** The same command on the demo SCORM 1.2 course zipped (a few KB): the CLI's fixed cost in time and memory. */
  readonly floor: RunMeasure & { readonly zipBytes: number };
  /** Brief's goal: peak memory under the package size + 100 MB. */
  readonly goalBytes: number;
}

/**
 * Runs a command as a child (in its own process group, killed on timeout or bench exit) and measures its wall
 * time and peak RSS: through `/usr/bin/time -v` when present (the kernel's ru_maxrss at exit, exact), else by
 * polling /proc/<pid>/status every 50 ms.
 */
async function runMeasured(command: string, args: string[], env: NodeJS.ProcessEnv, timeCapMs: number, reportFile: string): Promise<RunMeasure & { stdout: string; stderr: string; code: number | null }> {
  // Flush the dirty pages earlier steps left (the zip, the previous run's output) so their write-back does not
  // land inside this run's time: every measured run starts from the same state, the zip in the page cache.
  execFileSync('sync', { stdio: 'ignore', timeout: 120_000 });
  const time = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const [file, argv] = time ? [time, ['-v', '-o', reportFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackChild(child, { group: true });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-1_000_000)));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-20_000)));
  let polledPeak = 0;
  const poll = time ? undefined : setInterval(() => (polledPeak = Math.max(polledPeak, memoryOf(child.pid as number)?.peakBytes ?? 0)), 50);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeCapMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  if (timedOut) throw new Error(`${command} ${args.join(' ')} took more than ${timeCapMs / 1000} s and was killed`);
  let peakRssBytes: number | null = polledPeak || null;
  if (time) {
    const report = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : '';
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
    peakRssBytes = kb === undefined ? null : Number(kb) * 1024;
  }
  return { seconds, peakRssBytes, peakFrom: peakRssBytes === null ? 'none' : time ? 'time -v' : 'VmHWM poll', stdout, stderr, code };
}

export async function measureImport(workDir: string, options: ImportOptions): Promise<ImportResult> {
  const root = path.join(workDir, 'import');
  fs.mkdirSync(root);
  const line = progress('import');
  line.update('generating the package');
  const generated = generatePackage(path.join(root, 'package'), options);
  const zipPath = path.join(root, 'bench-large-scorm12.zip');
  line.update(`zipping ${generated.files} files`);
  const zippedWith = zipDirectory(generated.directory, zipPath);
  // The source folder is not needed any more; the zip alone is the input from here on.
  fs.rmSync(generated.directory, { recursive: true, force: true });
  const zipBytes = fs.statSync(zipPath).size;

  // Ceiling first, so both runs read the zip from the page cache (it was just written).
  line.update('unzip -q (ceiling)');
  const unzip = findExecutable('unzip');
  let ceiling: ImportResult['ceiling'];
  if (unzip !== undefined) {
    const target = path.join(root, 'unzipped');
    const run = await runMeasured(unzip, ['-q', zipPath, '-d', target], process.env, options.timeCapMs, path.join(root, 'unzip.time'));
    if (run.code !== 0) throw new Error(`unzip -q ${zipPath} exited with ${run.code}: ${run.stderr.slice(-2000)}`);
    ceiling = { seconds: run.seconds, peakRssBytes: run.peakRssBytes, peakFrom: run.peakFrom, tool: 'unzip -q' };
    fs.rmSync(target, { recursive: true, force: true });
  } else {
    const started = process.hrtime.bigint();
    fs.copyFileSync(zipPath, path.join(root, 'copy.zip'));
    ceiling = { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssBytes: null, peakFrom: 'none', tool: 'copy' };
    fs.rmSync(path.join(root, 'copy.zip'), { force: true });
  }

  // Floor: the same command on a package of a few KB, on its own fresh DATA_DIR (start-up, migrations, baseline heap).
  line.update('cadet import of the demo course (floor)');
  const tinyZip = path.join(root, 'demo-scorm12.zip');
  zipDirectory(demoCourse, tinyZip);
  const tinyData = path.join(root, 'data-floor');
  const tiny = await runMeasured(process.execPath, [cliPath, 'import', tinyZip, '--course', 'bench-floor', '--json'], { ...process.env, DATA_DIR: tinyData, LOG_LEVEL: 'warn' }, options.timeCapMs, path.join(root, 'floor.time'));
  if (tiny.code !== 0) throw new Error(`cadet import of the demo course failed (exit ${tiny.code}): ${tiny.stdout.slice(-1000)}\n${tiny.stderr.slice(-1000)}`);
  const floor = { seconds: tiny.seconds, peakRssBytes: tiny.peakRssBytes, peakFrom: tiny.peakFrom, zipBytes: fs.statSync(tinyZip).size };
  fs.rmSync(tinyData, { recursive: true, force: true });

  line.update(`cadet import of ${formatMb(zipBytes)}`);
  const dataDir = path.join(root, 'data');
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const run = await runMeasured(process.execPath, [cliPath, 'import', zipPath, '--course', 'bench-large', '--json'], env, options.timeCapMs, path.join(root, 'import.time'));
  const answer = run.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: { ok?: boolean; course?: string; version?: number; errors?: unknown };
  try {
    parsed = JSON.parse(answer) as typeof parsed;
  } catch {
    throw new Error(`cadet import printed no JSON (exit ${run.code}): ${answer.slice(0, 500)}\n${run.stderr.slice(-2000)}`);
  }
  if (run.code !== 0 || parsed.ok !== true) throw new Error(`cadet import failed (exit ${run.code}): ${answer.slice(0, 2000)}\n${run.stderr.slice(-2000)}`);
  // What landed in the package store (DATA_DIR/packages/<key>/…): every generated file, or the run does not count.
  const files = fs.readdirSync(path.join(dataDir, 'packages'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
  if (files !== generated.files) throw new Error(`cadet import stored ${files} files; the package has ${generated.files}`);
  const result: ImportResult = {
    zipBytes,
    entries: generated.files,
    uncompressedBytes: generated.bytes,
    zippedWith,
    import: { seconds: run.seconds, peakRssBytes: run.peakRssBytes, peakFrom: run.peakFrom },
    imported: { course: parsed.course ?? '?', version: parsed.version ?? 0, files },
    ceiling,
    floor,
    goalBytes: zipBytes + 100 * 1024 * 1024,
  };
  line.done(
    `${formatMb(zipBytes)} zip (${generated.files} files, ${zippedWith}) imported in ${run.seconds.toFixed(1)} s, peak RSS ${run.peakRssBytes === null ? '?' : formatMb(run.peakRssBytes)}; ` +
      `${ceiling.tool} ${ceiling.seconds.toFixed(1)} s; a ${(floor.zipBytes / 1024).toFixed(0)} KB zip takes ${floor.seconds.toFixed(1)} s, ${floor.peakRssBytes === null ? '?' : formatMb(floor.peakRssBytes)}`,
  );
  fs.rmSync(zipPath, { force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
  return result;
}
