import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { errorBodySchema } from '../shared/http-errors.ts';
import { invalidFields } from '../shared/validation.ts';
import { searchCatalogue } from './commands.ts';

const text = z.string().trim().max(500).optional();
const searchQuerySchema = z.object({
  q: text.describe('Keywords anywhere in the record'),
  title: text,
  author: text,
  subject: text,
  identifier: z
    .string()
    .trim()
    .max(64)
    .optional()
    .describe('ISBN (10 or 13), ISSN, OCLC number or control number'),
  institution: z
    .string()
    .max(500)
    .optional()
    .describe('Institution codes, comma-separated: only their copies count'),
  available: z.enum(['true', 'false']).optional().describe('Only works with a copy on the shelf'),
  materialType: z.string().max(32).optional(),
  library: z.string().max(32).optional(),
  yearFrom: z.coerce.number().int().min(0).max(2100).optional(),
  yearTo: z.coerce.number().int().min(0).max(2100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

const resultSchema = z
  .object({
    total: z.number().describe('Number of works found'),
    page: z.number(),
    pageSize: z.number(),
    results: z.array(
      z.object({
        workKey: z.string(),
        title: z.string(),
        subtitle: z.string(),
        author: z.string(),
        publicationYear: z.number().nullable(),
        format: z.string(),
        isbns: z.array(z.string()),
        score: z.number(),
        holders: z.array(
          z.object({
            institutionId: z.uuid(),
            institutionCode: z.string(),
            institutionName: z.string(),
            bibId: z.uuid(),
            itemCount: z.number(),
            availableCount: z.number(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'SearchResults' });

/** GET-1: the network catalogue search, open to anonymous discovery visitors. */
export function registerSearchRoutes(app: RouteApp, deps: { db: Db }) {
  app.get(
    '/search',
    {
      config: { public: true },
      schema: {
        tags: ['discovery'],
        summary: 'Searches the whole network catalogue; one result per work with the members holding it',
        security: [],
        querystring: searchQuerySchema,
        response: { 200: resultSchema, 400: errorBodySchema },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.yearFrom !== undefined && q.yearTo !== undefined && q.yearFrom > q.yearTo) {
        throw invalidFields([{ field: 'querystring.yearTo', message: 'must not be before yearFrom' }]);
      }
      const institutions = q.institution
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      const found = await searchCatalogue(deps.db, {
        ...q,
        institutions,
        available: q.available === 'true',
      });
      return { ...found, page: q.page, pageSize: q.pageSize };
    },
  );
}
