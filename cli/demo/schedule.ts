/** When things happen during the week: people work weekdays 08:00–18:00 UTC, machines every hour. */
import { between, type Random } from './random.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** How busy people are at a time, relative to a weekday working hour. */
export function businessWeight(time: number): number {
  const date = new Date(time);
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const hour = date.getUTCHours();
  return (weekend ? 0.15 : 1) * (hour >= 8 && hour < 18 ? 1 : 0.1);
}

/** A time in [from, to) drawn in proportion to businessWeight, to the second. */
export function businessTime(random: Random, from: number, to: number): number {
  for (;;) {
    const time = from + Math.floor((random() * (to - from)) / SECOND) * SECOND;
    if (random() < businessWeight(time)) return time;
  }
}

/** The start of every whole hour in [from, to). */
export function hoursBetween(from: number, to: number): number[] {
  const hours: number[] = [];
  for (let hour = Math.ceil(from / HOUR) * HOUR; hour < to; hour += HOUR) hours.push(hour);
  return hours;
}

/** `hour`:MM:SS UTC on the calendar day `days` after `start`, minutes and seconds drawn at random. */
export function onDay(random: Random, start: number, days: number, hour: number): number {
  const midnight = Math.floor((start + days * DAY) / DAY) * DAY;
  return midnight + hour * HOUR + between(random, 0, 50) * MINUTE + between(random, 0, 59) * SECOND;
}

/** Times after `from`, each `minGap`–`maxGap` after the one before: the calls of one job. */
export function spacedTimes(
  random: Random,
  from: number,
  count: number,
  minGap: number,
  maxGap: number,
): number[] {
  const times: number[] = [];
  let time = from;
  for (let i = 0; i < count; i++) {
    time += between(random, minGap, maxGap);
    times.push(time);
  }
  return times;
}
