/**
 * Datasets under CHAINLM_HOME/datasets/<name>/. A folder is complete or absent:
 * writers build it in a hidden temp folder beside it and rename it into place
 * (replaceDirAtomic), so a crashed ingest leaves only a `.name.*.tmp` folder that
 * listing ignores and `cleanStaleTemp` removes.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { replaceDirAtomic, writeJsonAtomic, Registry, type ChainlmHome } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import { manifestFile, readManifestFile, type DatasetManifest } from './manifest.js';

const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function assertDatasetName(name: string): void {
  if (!namePattern.test(name) || name.includes('..')) throw dataErrors.datasetName(name);
}

export function datasetsFolder(home: ChainlmHome): string {
  return home.path('datasets');
}

export function datasetFolder(home: ChainlmHome, name: string): string {
  assertDatasetName(name);
  return home.path('datasets', name);
}

export function datasetExists(home: ChainlmHome, name: string): boolean {
  return existsSync(join(datasetFolder(home, name), manifestFile));
}

export async function readDataset(home: ChainlmHome, name: string): Promise<DatasetManifest> {
  const folder = datasetFolder(home, name);
  if (!existsSync(join(folder, manifestFile))) throw dataErrors.datasetMissing(name, datasetsFolder(home));
  return readManifestFile(folder);
}

export async function listDatasets(home: ChainlmHome): Promise<DatasetManifest[]> {
  const root = datasetsFolder(home);
  if (!existsSync(root)) return [];
  const names = (await readdir(root)).filter((name) => !name.startsWith('.') && namePattern.test(name)).sort();
  const manifests: DatasetManifest[] = [];
  for (const name of names) {
    if (existsSync(join(root, name, manifestFile))) manifests.push(await readManifestFile(join(root, name)));
  }
  return manifests;
}

/**
 * Builds a dataset folder atomically: `build` fills the temp folder and returns the
 * manifest, which is written last; then the folder replaces any old one and the
 * dataset is recorded in the registry with lineage edges to `derivedFrom`.
 */
export async function writeDataset(
  home: ChainlmHome,
  name: string,
  build: (folder: string) => Promise<DatasetManifest>,
): Promise<DatasetManifest> {
  const folder = datasetFolder(home, name);
  let manifest: DatasetManifest | undefined;
  await mkdir(dirname(folder), { recursive: true });
  await replaceDirAtomic(folder, async (temp) => {
    manifest = await build(temp);
    await writeJsonAtomic(join(temp, manifestFile), manifest);
  });
  await recordDataset(home, folder, manifest!);
  return manifest!;
}

/** Hard-links (or copies across devices) files of an existing folder into a new one. */
export async function linkInto(fromFolder: string, toFolder: string, relativePaths: readonly string[]): Promise<void> {
  for (const relative of relativePaths) {
    const target = join(toFolder, relative);
    await mkdir(dirname(target), { recursive: true });
    await link(join(fromFolder, relative), target);
  }
}

export function datasetArtifactId(name: string): string {
  return `dataset:${name}`;
}

async function recordDataset(home: ChainlmHome, folder: string, manifest: DatasetManifest): Promise<void> {
  const registry = new Registry({ file: home.registryFile });
  await registry.record({
    kind: 'dataset',
    name: manifest.name,
    path: folder,
    metadata: { kind: manifest.kind, records: manifest.counts.records, quarantined: manifest.counts.quarantined },
    inputs: manifest.derivedFrom.map((parent) => ({ id: datasetArtifactId(parent), relation: String(manifest.derivation?.step ?? 'derived') })),
  });
}

export async function removeDataset(home: ChainlmHome, name: string): Promise<void> {
  const folder = datasetFolder(home, name);
  if (!existsSync(folder)) throw dataErrors.datasetMissing(name, datasetsFolder(home));
  await rm(folder, { recursive: true, force: true });
  await new Registry({ file: home.registryFile }).remove(datasetArtifactId(name));
}

/** Removes temp folders left by killed writers (hidden `.name.pid.rand.tmp*`). */
export async function cleanStaleTemp(home: ChainlmHome): Promise<number> {
  const root = datasetsFolder(home);
  if (!existsSync(root)) return 0;
  const stale = (await readdir(root)).filter((entry) => {
    const match = /^\..+\.(\d+)\.[0-9a-f]+\.tmp(\.old)?$/.exec(entry);
    return match !== null && !processAlive(Number(match[1]));
  });
  for (const entry of stale) await rm(join(root, entry), { recursive: true, force: true });
  return stale.length;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
