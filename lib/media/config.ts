// The cluster's media: section, or bad input naming where it is missing (every media task starts here).
import { UsageError, type TaskContext } from '../engine/types.ts';
import type { MediaConfig } from '../config/media.ts';

export function mediaConfig(ctx: TaskContext): MediaConfig {
  const m = ctx.cluster.media;
  if (!m || !Object.keys(m.services).length) throw new UsageError(`cluster ${ctx.cluster.name} has no media services: expected a media: section with services (see rackhand.example.yaml) in ${ctx.cluster.source}`);
  return m;
}

