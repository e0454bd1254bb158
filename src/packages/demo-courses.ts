import fs from 'node:fs';
import path from 'node:path';
import type { CatalogService, ImportOutcome } from './catalog-service.js';

/**
 * The demo courses the project writes itself (`content-packages/`, one per format): imported into an empty
 * catalog so a newcomer sees courses at once. A folder is a package when a descriptor sits at its root.
 */
export async function importDemoCourses(catalog: CatalogService, directory: string): Promise<Array<{ folder: string; outcome: ImportOutcome }>> {
  if ((await catalog.listCourses()).length > 0 || !fs.existsSync(directory)) return [];
  const descriptors = ['imsmanifest.xml', 'cmi5.xml', 'tincan.xml'];
  const folders = fs
    .readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && descriptors.some((name) => fs.existsSync(path.join(directory, entry.name, name))))
    .map((entry) => entry.name)
    .sort();
  const results: Array<{ folder: string; outcome: ImportOutcome }> = [];
  for (const folder of folders) {
    results.push({ folder, outcome: await catalog.importPackage({ directory: path.join(directory, folder) }, { slug: folder }) });
  }
  return results;
}
