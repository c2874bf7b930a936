/** Places (issue 12): loading the gazetteer once, and naming one GPS position (random positions on land and sea). */
import { Gazetteer } from '../src/main/core/media/gazetteer.js';

export interface PlacesResult {
  loadMs: number;
  loadMiB: number;
  /** Microseconds to name one position. */
  usPerPhoto: number;
  named: number;
  positions: number;
}

export function measurePlaces(positions = 100_000): PlacesResult {
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const gazetteer = Gazetteer.load();
  const loadMs = performance.now() - started;
  const loadMiB = (process.memoryUsage().rss - rss) / 2 ** 20;
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const points = Array.from({ length: positions }, () => [random() * 140 - 60, random() * 360 - 180] as const);
  let named = 0;
  const t = performance.now();
  for (const [lat, lon] of points) if (gazetteer.placeOf(lat, lon)) named += 1;
  return { loadMs, loadMiB, usPerPhoto: ((performance.now() - t) * 1000) / positions, named, positions };
}
