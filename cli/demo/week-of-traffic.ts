/**
 * A realistic, deterministic week of Acme's federation traffic for `tokentrail demo`: ordinary
 * deploys and workloads on AWS and GCP, a few planted incidents, and the files the clouds would
 * have delivered, in their real formats and layouts. Pure apart from gzip: the clock comes in as
 * `end`, randomness from `seed`.
 */
import { ordinaryAwsTraffic } from './aws-traffic.js';
import { crossCloudTraffic } from './cross-cloud.js';
import { type DemoFile, deliver } from './delivery.js';
import { ordinaryGcpTraffic } from './gcp-traffic.js';
import { type PlantedIncident, plantIncidents } from './incidents.js';
import { seededRandom } from './random.js';
import { DAY, HOUR } from './schedule.js';
import { TrafficLog } from './traffic-log.js';

export type { DemoFile } from './delivery.js';
export type { PlantedIncident } from './incidents.js';

export interface DemoTraffic {
  readonly files: readonly DemoFile[];
  readonly incidents: readonly PlantedIncident[];
  readonly start: Date;
  readonly end: Date;
}

export const DEFAULT_SEED = 20_261_116;
const GITHUB_RUNS_ON_AWS = 220;

/** The seven days before `end`: every event falls in [end - 7 days, end]. */
export function weekOfTraffic(options: { readonly end: Date; readonly seed?: number }): DemoTraffic {
  const end = options.end.getTime();
  if (!Number.isFinite(end)) throw new RangeError('weekOfTraffic: end is not a valid date');
  const start = end - 7 * DAY;
  const log = new TrafficLog(seededRandom(options.seed ?? DEFAULT_SEED));
  // Jobs start an hour before the end at the latest, so their last calls still fall inside.
  ordinaryAwsTraffic(log, start, end - HOUR, GITHUB_RUNS_ON_AWS);
  ordinaryGcpTraffic(log, start, end - HOUR);
  const incidents = plantIncidents(log, start);
  // After the incidents, so adding the chain left their times and counts as they were.
  crossCloudTraffic(log, start, end - HOUR);
  return {
    files: deliver(log.random, log.events, end),
    incidents,
    start: new Date(start),
    end: new Date(end),
  };
}
