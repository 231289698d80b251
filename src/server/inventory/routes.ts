import { z } from 'zod';
import { authorize } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { type ActorRequest, authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import {
  createBib,
  createHolding,
  createItem,
  getBib,
  getItem,
  getItemByBarcode,
  updateBib,
  updateHolding,
  updateItem,
  withdrawBib,
  withdrawItem,
} from './commands.ts';
import {
  bibCreateSchema,
  bibUpdateSchema,
  bibViewSchema,
  holdingCreateSchema,
  holdingUpdateSchema,
  holdingViewSchema,
  itemCreateSchema,
  itemUpdateSchema,
  itemViewSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const tags = ['inventory'];
const institutionParams = z.object({ institutionId: idParam });

/** Inventory (CIRC-1): bibliographic records, holdings and items of one institution. */
export function registerInventoryRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  const manage = (request: ActorRequest, institutionId: string) =>
    authorizedContext(db, request, 'inventory.manage', { institutionId });
  const base = '/institutions/:institutionId';

  app.get(
    `${base}/bibs/:bibId`,
    {
      schema: {
        tags,
        summary: 'A bibliographic record with its holdings and items',
        params: z.object({ institutionId: idParam, bibId: idParam }),
        response: { 200: bibViewSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'inventory.read', { institutionId: request.params.institutionId });
      return getBib(db, request.params.institutionId, request.params.bibId);
    },
  );
  app.post(
    `${base}/bibs`,
    {
      schema: {
        tags,
        summary: 'Catalogues a record by hand; its work key is computed (GET-1)',
        params: institutionParams,
        body: bibCreateSchema,
        response: { 201: bibViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId } = request.params;
      return reply
        .status(201)
        .send(await createBib(manage(request, institutionId), institutionId, request.body));
    },
  );
  app.patch(
    `${base}/bibs/:bibId`,
    {
      schema: {
        tags,
        summary: 'Changes a record; its work key and search entry follow',
        params: z.object({ institutionId: idParam, bibId: idParam }),
        body: bibUpdateSchema,
        response: { 200: bibViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, bibId } = request.params;
      return updateBib(manage(request, institutionId), institutionId, bibId, request.body);
    },
  );
  app.post(
    `${base}/bibs/:bibId/withdraw`,
    {
      schema: {
        tags,
        summary: 'Withdraws a record and its items; refused while an item is out of place',
        params: z.object({ institutionId: idParam, bibId: idParam }),
        response: { 200: bibViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, bibId } = request.params;
      return withdrawBib(manage(request, institutionId), institutionId, bibId);
    },
  );

  app.post(
    `${base}/holdings`,
    {
      schema: {
        tags,
        summary: 'Adds a holding (library, location, call number) to a record',
        params: institutionParams,
        body: holdingCreateSchema,
        response: { 201: holdingViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId } = request.params;
      return reply
        .status(201)
        .send(await createHolding(manage(request, institutionId), institutionId, request.body));
    },
  );
  app.patch(
    `${base}/holdings/:holdingId`,
    {
      schema: {
        tags,
        summary: 'Moves a holding or changes its call number',
        params: z.object({ institutionId: idParam, holdingId: idParam }),
        body: holdingUpdateSchema,
        response: { 200: holdingViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, holdingId } = request.params;
      return updateHolding(manage(request, institutionId), institutionId, holdingId, request.body);
    },
  );

  app.post(
    `${base}/items`,
    {
      schema: {
        tags,
        summary: 'Adds an item; its barcode is unique within the institution (409 otherwise)',
        params: institutionParams,
        body: itemCreateSchema,
        response: { 201: itemViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId } = request.params;
      return reply
        .status(201)
        .send(await createItem(manage(request, institutionId), institutionId, request.body));
    },
  );
  app.get(
    `${base}/items/:itemId`,
    {
      schema: {
        tags,
        summary: 'One item with its state',
        params: z.object({ institutionId: idParam, itemId: idParam }),
        response: { 200: itemViewSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'inventory.read', { institutionId: request.params.institutionId });
      return getItem(db, request.params.institutionId, request.params.itemId);
    },
  );
  app.get(
    `${base}/items/by-barcode/:barcode`,
    {
      schema: {
        tags,
        summary: "An item's state read by its barcode (CIRC-1)",
        params: z.object({ institutionId: idParam, barcode: z.string().min(1).max(64) }),
        response: { 200: itemViewSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'inventory.read', { institutionId: request.params.institutionId });
      return getItemByBarcode(db, request.params.institutionId, request.params.barcode);
    },
  );
  app.patch(
    `${base}/items/:itemId`,
    {
      schema: {
        tags,
        summary: 'Changes an item (barcode, material type, policy, volume)',
        params: z.object({ institutionId: idParam, itemId: idParam }),
        body: itemUpdateSchema,
        response: { 200: itemViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, itemId } = request.params;
      return updateItem(manage(request, institutionId), institutionId, itemId, request.body);
    },
  );
  app.post(
    `${base}/items/:itemId/withdraw`,
    {
      schema: {
        tags,
        summary: 'Withdraws an item; refused while it is out of place',
        params: z.object({ institutionId: idParam, itemId: idParam }),
        response: { 200: itemViewSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, itemId } = request.params;
      return withdrawItem(manage(request, institutionId), institutionId, itemId);
    },
  );
}
