/**
 * Where the library's photos were taken, for the map: positions gathered into clusters (square cells
 * of latitude and longitude, finer as the map zooms in), each with its count, its centre, the box
 * that holds its photos (the filter that opens them as a result grid) and the name most of them
 * answer to.
 */
import type { MapCluster } from '../../../shared/api.js';
export type { MapCluster };

/** The whole world's cell, about 220 km across: a city and its surroundings, a region of a small country. */
export const WORLD_CELL_DEGREES = 2;

export function clusterPositions(
  positions: { lat: number; lon: number; town: string | null; city: string | null; country: string | null }[],
  cellDegrees = WORLD_CELL_DEGREES,
): MapCluster[] {
  const cells = new Map<string, { lat: number; lon: number; count: number; names: Map<string, number>; area: MapCluster['area'] }>();
  for (const p of positions) {
    const key = `${Math.floor(p.lat / cellDegrees)}:${Math.floor(p.lon / cellDegrees)}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { lat: 0, lon: 0, count: 0, names: new Map(), area: { south: p.lat, west: p.lon, north: p.lat, east: p.lon } };
      cells.set(key, cell);
    }
    cell.lat += p.lat;
    cell.lon += p.lon;
    cell.count += 1;
    // A cluster is named by its city (a neighbourhood's name says little on a world map).
    const where = p.city ?? p.town;
    const name = where ? `${where}${p.country ? `, ${p.country}` : ''}` : null;
    if (name) cell.names.set(name, (cell.names.get(name) ?? 0) + 1);
    cell.area = {
      south: Math.min(cell.area.south, p.lat),
      west: Math.min(cell.area.west, p.lon),
      north: Math.max(cell.area.north, p.lat),
      east: Math.max(cell.area.east, p.lon),
    };
  }
  return [...cells.values()]
    .map((cell) => ({
      lat: cell.lat / cell.count,
      lon: cell.lon / cell.count,
      count: cell.count,
      name: [...cell.names.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
      area: cell.area,
    }))
    .sort((a, b) => b.count - a.count);
}
