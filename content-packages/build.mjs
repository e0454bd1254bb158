#!/usr/bin/env node
/**
 * Bundles the demo courses' browser code: every `content-packages/<package>/src/<name>.entry.js`
 * becomes `content-packages/<package>/js/<name>.bundle.js`, one self-contained IIFE for browsers
 * (the xAPI and cmi5 libraries included), minified, with the libraries' licence comments kept at
 * the end of the file. The SCORM packages have no src/ and need no build.
 *
 *   node content-packages/build.mjs            write the bundles into the package folders
 *   node content-packages/build.mjs --check    build in memory only; fail if a bundle does not build
 *
 * Imported by the tests as `bundleContentPackages({ outRoot })` to build into a temporary folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export const packagesRoot = path.dirname(fileURLToPath(import.meta.url));

/** The entries to bundle: `{ pkg, name, entry, outfile }` with `outfile` relative to the package folder. */
export function findEntries(root = packagesRoot) {
  const entries = [];
  for (const pkg of fs.readdirSync(root, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const src = path.join(root, pkg.name, 'src');
    if (!fs.existsSync(src)) continue;
    for (const file of fs.readdirSync(src).sort()) {
      const match = /^(.+)\.entry\.js$/.exec(file);
      if (match) entries.push({ pkg: pkg.name, name: match[1], entry: path.join(src, file), outfile: `js/${match[1]}.bundle.js` });
    }
  }
  return entries;
}

/**
 * Builds every entry. `outRoot` (default: the package folders themselves) receives
 * `<package>/js/<name>.bundle.js`; `write: false` builds in memory only.
 * Returns `{ pkg, outfile, path, bytes }` per bundle.
 */
export async function bundleContentPackages({ outRoot = packagesRoot, write = true } = {}) {
  const results = [];
  for (const e of findEntries()) {
    const outPath = path.join(outRoot, e.pkg, e.outfile);
    const result = await esbuild.build({
      entryPoints: [e.entry],
      outfile: outPath,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      // The packages' own ES modules first, then the UMD builds the libraries point browsers to.
      mainFields: ['module', 'browser', 'main'],
      target: ['es2019'],
      minify: true,
      legalComments: 'eof',
      charset: 'utf8',
      write,
      logLevel: 'silent',
    });
    const bytes = write ? fs.statSync(outPath).size : result.outputFiles[0].contents.length;
    results.push({ pkg: e.pkg, outfile: e.outfile, path: outPath, bytes });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = process.argv.includes('--check');
  try {
    const results = await bundleContentPackages({ write: !check });
    for (const r of results) console.log(`${check ? 'built (not written)' : 'wrote'} ${path.join('content-packages', r.pkg, r.outfile)} (${(r.bytes / 1024).toFixed(1)} KiB)`);
  } catch (error) {
    console.error(error.message ?? error);
    process.exitCode = 1;
  }
}
