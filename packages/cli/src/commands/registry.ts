import { artifactKinds, defineCommand, openRegistry, UsageError, type Artifact, type ArtifactKind, type Lineage } from '@chainlm/core';

export const registryLsCommand = defineCommand({
  name: 'registry-ls',
  summary: 'list recorded artifacts (datasets, tokenizers, models, checkpoints, adapters, evals, deployments)',
  options: { kind: { type: 'string', description: `only this kind: ${artifactKinds.join('|')}`, valueName: 'KIND' } },
  async run({ options }) {
    if (options.kind !== undefined && !artifactKinds.includes(options.kind as ArtifactKind)) {
      throw new UsageError(`--kind "${options.kind}" is not a kind`, `use one of ${artifactKinds.join(', ')}`);
    }
    const artifacts = await openRegistry().list({ kind: options.kind as ArtifactKind | undefined });
    return { artifacts };
  },
  render(result, print) {
    const { artifacts } = result as { artifacts: Artifact[] };
    if (artifacts.length === 0) return print('no artifacts recorded yet');
    const width = Math.max(...artifacts.map((artifact) => artifact.id.length)) + 2;
    for (const artifact of artifacts) print(`${artifact.id.padEnd(width)}${artifact.createdAt.slice(0, 19)}  ${artifact.path ?? ''}`);
  },
});

export const registryShowCommand = defineCommand({
  name: 'registry-show',
  summary: 'show one artifact with its lineage up (to its data) and down (to evals and deployments)',
  positionals: [{ name: 'id', description: 'artifact id, e.g. dataset:stories', required: true }],
  async run({ positionals }) {
    const lineage = await openRegistry().lineage(positionals[0]);
    if (!lineage) throw new UsageError(`no artifact "${positionals[0]}" in the registry`, 'list them with `chainlm registry ls`');
    return lineage;
  },
  render(result, print) {
    const lineage = result as Lineage;
    print(`${lineage.artifact.id}  (${lineage.artifact.kind})`);
    if (lineage.artifact.path) print(`  path      ${lineage.artifact.path}`);
    print(`  created   ${lineage.artifact.createdAt}`);
    print(`  metadata  ${JSON.stringify(lineage.artifact.metadata)}`);
    print('  up:');
    for (const entry of lineage.up) print(`    ${'  '.repeat(entry.depth - 1)}↑ ${entry.artifact.id}`);
    print('  down:');
    for (const entry of lineage.down) print(`    ${'  '.repeat(entry.depth - 1)}↓ ${entry.artifact.id}`);
  },
});
