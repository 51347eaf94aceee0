/**
 * The partitioner splits a run into inference tasks: one per model × dataset,
 * and datasets with more than `shardSize` test items into contiguous shards
 * [start, end). Plain data: the runner executes, the partitioner only decides.
 */
export interface InferTaskSpec {
  /** `<model>/<dataset>` or `<model>/<dataset>_<shard>`; also the predictions file stem. */
  id: string;
  model: string;
  dataset: string;
  shard: number;
  shardCount: number;
  start: number;
  end: number;
}

export function partition(models: readonly string[], datasets: readonly { abbr: string; size: number }[], shardSize: number): InferTaskSpec[] {
  const tasks: InferTaskSpec[] = [];
  for (const model of models) {
    for (const dataset of datasets) {
      const shardCount = Math.max(1, Math.ceil(dataset.size / shardSize));
      for (let shard = 0; shard < shardCount; shard++) {
        tasks.push({
          id: shardCount === 1 ? `${model}/${dataset.abbr}` : `${model}/${dataset.abbr}_${shard}`,
          model,
          dataset: dataset.abbr,
          shard,
          shardCount,
          start: shard * shardSize,
          end: Math.min(dataset.size, (shard + 1) * shardSize),
        });
      }
    }
  }
  return tasks;
}
