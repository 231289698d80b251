import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { anonymous, createTestApp, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;

interface Result {
  workKey: string;
  title: string;
  holders: { institutionCode: string; itemCount: number; availableCount: number }[];
}

async function search(query: string) {
  const response = await anonymous(t.app).get(`/api/search?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { total: number; results: Result[] };
}

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  const db = t.database.db;
  // One work held by all three members (GET-1), catalogued a little differently by each.
  await buildItem(db, {
    institution: cast.north.institution,
    title: 'Les Misérables',
    author: 'Hugo, Victor',
    workKey: 'isbn:9780140444308',
    year: 1982,
  });
  await buildItem(db, {
    institution: cast.south.institution,
    title: 'Les misérables',
    author: 'Victor Hugo',
    workKey: 'isbn:9780140444308',
    year: 1982,
    inPlace: false,
  });
  await buildItem(db, {
    institution: cast.east.institution,
    title: 'LES MISERABLES',
    author: 'Hugo, Victor, 1802-1885',
    workKey: 'isbn:9780140444308',
    year: 1982,
  });
  // A different work that shares words.
  await buildItem(db, {
    institution: cast.north.institution,
    title: 'Victor Hugo and the misérables of Paris',
    author: 'Brombert, Victor',
    workKey: 'tad:victor-hugo-paris',
    year: 1984,
  });
  await buildItem(db, {
    institution: cast.south.institution,
    title: 'Nepali: नेपाली भाषा',
    author: 'Sharma',
    workKey: 'tad:nepali',
    year: 1990,
    materialType: 'DVD',
  });
  for (let n = 1; n <= 25; n++) {
    await buildItem(db, {
      institution: cast.east.institution,
      title: `Opera libretto ${n}`,
      author: 'Verdi',
      workKey: `tad:libretto-${n}`,
      year: 1850 + n,
    });
  }
});
afterAll(async () => t.close());

describe('network catalogue search (GET-1)', () => {
  it('finds the same works with and without diacritics, in any case', async () => {
    const accented = await search('q=Misérables');
    const plain = await search('q=miserables');
    const shouting = await search('q=MISERABLES');
    expect(accented.results.map((r) => r.workKey).sort()).toEqual([
      'isbn:9780140444308',
      'tad:victor-hugo-paris',
    ]);
    expect(plain.results.map((r) => r.workKey)).toEqual(accented.results.map((r) => r.workKey));
    expect(shouting.results.map((r) => r.workKey)).toEqual(accented.results.map((r) => r.workKey));
  });

  it('shows a work held by three members as one result listing all three', async () => {
    const { results } = await search('title=miserables&author=hugo');
    const work = results.find((r) => r.workKey === 'isbn:9780140444308');
    expect(work?.holders.map((h) => h.institutionCode)).toEqual(['EAST', 'NORTH', 'SOUTH']);
    expect(work?.holders.find((h) => h.institutionCode === 'SOUTH')).toMatchObject({
      itemCount: 1,
      availableCount: 0,
    });
  });

  it('ranks a title match above a match elsewhere', async () => {
    const { results } = await search('q=victor hugo');
    expect(results.map((r) => r.workKey)).toEqual(['tad:victor-hugo-paris', 'isbn:9780140444308']);
  });

  it('limits title, author and subject words to their field', async () => {
    expect((await search('author=paris')).total).toBe(0);
    expect((await search('title=paris')).results.map((r) => r.workKey)).toEqual(['tad:victor-hugo-paris']);
  });

  it('filters by institution, availability, material type, library and year', async () => {
    const north = await search('q=miserables&institution=NORTH');
    expect(north.results.every((r) => r.holders.every((h) => h.institutionCode === 'NORTH'))).toBe(true);
    const southOnlyAvailable = await search('q=miserables&institution=SOUTH&available=true');
    expect(southOnlyAvailable.total).toBe(0);
    const available = await search('title=miserables&author=hugo&available=true');
    expect(available.results[0]?.holders.map((h) => h.institutionCode)).toEqual(['EAST', 'NORTH']);
    expect((await search('q=nepali&materialType=DVD')).total).toBe(1);
    expect((await search('q=nepali&materialType=BOOK')).total).toBe(0);
    expect((await search('q=libretto&yearFrom=1870&yearTo=1872')).total).toBe(3);
    const library = await search('q=miserables&library=NOPE');
    expect(library.total).toBe(0);
  });

  it('pages through results without repeating or losing any', async () => {
    const first = await search('q=libretto&pageSize=10&page=1');
    const second = await search('q=libretto&pageSize=10&page=2');
    const third = await search('q=libretto&pageSize=10&page=3');
    const beyond = await search('q=libretto&pageSize=10&page=4');
    expect(first.total).toBe(25);
    expect(beyond.total).toBe(25);
    expect([first, second, third].map((p) => p.results.length)).toEqual([10, 10, 5]);
    const keys = [first, second, third].flatMap((p) => p.results.map((r) => r.workKey));
    expect(new Set(keys).size).toBe(25);
    expect(beyond.results).toEqual([]);
  });

  it('finds non-Latin words', async () => {
    expect((await search(`q=${encodeURIComponent('नेपाली')}`)).results.map((r) => r.workKey)).toEqual([
      'tad:nepali',
    ]);
  });

  it('refuses bad parameters with 400 naming them', async () => {
    for (const [query, field] of [
      ['pageSize=500', 'querystring.pageSize'],
      ['page=0', 'querystring.page'],
      ['yearFrom=1900&yearTo=1800', 'querystring.yearTo'],
      ['available=maybe', 'querystring.available'],
    ]) {
      const response = await anonymous(t.app).get(`/api/search?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().details.fields[0].field).toBe(field);
    }
  });
});
