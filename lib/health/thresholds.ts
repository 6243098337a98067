// What health checks hold the cluster to, in one place for health:cluster and the pre/postflight checks alike: the
// values given (flags, a check's options), else the cluster's health: section of rackhand.yaml, else the defaults
// (certificates warned 30 days ahead, a renewal 1 h overdue is stuck, backups older than 26 h fail).
import type { ClusterConfig } from '../config.ts';
import { parseDuration } from '../patterns.ts';

export interface Thresholds { certificateWarnMs: number; renewalGraceMs: number; backupMaxAgeMs: number }

export function thresholds(c: ClusterConfig, given: Partial<Thresholds> = {}): Thresholds {
  const h = c.health ?? {};
  const pick = (v: number | undefined, configured: string | undefined, fallback: string) => v ?? parseDuration(configured ?? fallback);
  return {
    certificateWarnMs: pick(given.certificateWarnMs, h.certificateWarn, '30d'),
    renewalGraceMs: pick(given.renewalGraceMs, h.renewalGrace, '1h'),
    backupMaxAgeMs: pick(given.backupMaxAgeMs, h.backupMaxAge, '26h'),
  };
}
