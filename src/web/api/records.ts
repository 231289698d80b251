/**
 * Client calls of the patron record and item record screens (PAT-1, PAT-8, CIRC-1, CIRC-13):
 * the shapes the API answers (src/server/patrons/schemas.ts, src/server/inventory/schemas.ts,
 * src/server/circulation/schemas.ts, src/server/letters/routes.ts) and one function per route.
 */
import { apiRequest } from '../api.ts';
import {
  type CodeName,
  enc,
  institutionPath,
  type Patron,
  type PatronIdentifier,
  type PatronStatus,
  patronPath,
} from './shared.ts';

// --- Reference data --------------------------------------------------------------------------

export interface LocationRecord extends CodeName {
  libraryId: string;
  libraryName?: string;
}

export interface LibraryRecord extends CodeName {}

export function listUserGroups(institutionId: string, signal?: AbortSignal): Promise<CodeName[]> {
  return apiRequest<CodeName[]>('GET', `${institutionPath(institutionId)}/user-groups`, { signal });
}

export function listItemPolicies(institutionId: string, signal?: AbortSignal): Promise<CodeName[]> {
  return apiRequest<CodeName[]>('GET', `${institutionPath(institutionId)}/item-policies`, { signal });
}

export function listMaterialTypes(institutionId: string, signal?: AbortSignal): Promise<CodeName[]> {
  return apiRequest<CodeName[]>('GET', `${institutionPath(institutionId)}/material-types`, { signal });
}

export function listLocations(institutionId: string, signal?: AbortSignal): Promise<LocationRecord[]> {
  return apiRequest<LocationRecord[]>('GET', `${institutionPath(institutionId)}/locations`, { signal });
}

export function listLibraries(institutionId: string, signal?: AbortSignal): Promise<LibraryRecord[]> {
  return apiRequest<LibraryRecord[]>('GET', `${institutionPath(institutionId)}/libraries`, { signal });
}

// --- Patrons -----------------------------------------------------------------------------------

/** What the record form sends; on create the primary identifier, last name and group are required. */
export interface PatronInput {
  primaryIdentifier?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  preferredName?: string | null;
  userGroupId?: string;
  emails?: { address: string; type: string; preferred?: boolean }[];
  phones?: { number: string; type: string; preferred?: boolean }[];
  addresses?: {
    lines: string[];
    city?: string;
    region?: string;
    postalCode?: string;
    country?: string;
    type: string;
    preferred?: boolean;
  }[];
  expiryDate?: string | null;
  purgeDate?: string | null;
  generalNote?: string;
  status?: PatronStatus;
  crossConsortiaId?: string | null;
  identifiers?: PatronIdentifier[];
  password?: string;
}

export interface BlockInput {
  blockType: string;
  reason?: string;
  networkBlock?: boolean;
  expiresAt?: string | null;
}

export function createPatron(institutionId: string, body: PatronInput): Promise<Patron> {
  return apiRequest<Patron>('POST', `${institutionPath(institutionId)}/patrons`, { body });
}

export function updatePatron(institutionId: string, patronId: string, body: PatronInput): Promise<Patron> {
  return apiRequest<Patron>('PATCH', patronPath(institutionId, patronId), { body });
}

export function addPatronIdentifier(
  institutionId: string,
  patronId: string,
  identifier: PatronIdentifier,
): Promise<Patron> {
  return apiRequest<Patron>('POST', `${patronPath(institutionId, patronId)}/identifiers`, {
    body: identifier,
  });
}

export function removePatronIdentifier(
  institutionId: string,
  patronId: string,
  identifier: PatronIdentifier,
): Promise<void> {
  return apiRequest<void>(
    'DELETE',
    `${patronPath(institutionId, patronId)}/identifiers/${enc(identifier.type)}/${enc(identifier.value)}`,
  );
}

export function addPatronBlock(institutionId: string, patronId: string, block: BlockInput): Promise<Patron> {
  return apiRequest<Patron>('POST', `${patronPath(institutionId, patronId)}/blocks`, { body: block });
}

export function removePatronBlock(institutionId: string, patronId: string, blockId: string): Promise<void> {
  return apiRequest<void>('DELETE', `${patronPath(institutionId, patronId)}/blocks/${enc(blockId)}`);
}

export function expirePatron(institutionId: string, patronId: string): Promise<Patron> {
  return apiRequest<Patron>('POST', `${patronPath(institutionId, patronId)}/expire`);
}

/** Sets the discovery password; null removes the discovery login. */
export function setPatronPassword(
  institutionId: string,
  patronId: string,
  password: string | null,
): Promise<void> {
  return apiRequest<void>('PUT', `${patronPath(institutionId, patronId)}/password`, { body: { password } });
}

// --- Items -------------------------------------------------------------------------------------

export interface Item {
  id: string;
  institutionId: string;
  institutionCode: string;
  barcode: string;
  bibId: string;
  holdingId: string;
  title: string;
  author: string;
  callNumber: string;
  library: CodeName;
  location: CodeName;
  materialType: CodeName;
  itemPolicy: CodeName;
  enumeration: string;
  chronology: string;
  description: string;
  status: 'in_place' | 'not_in_place' | 'withdrawn';
  processType: string | null;
  statusText: string;
  withdrawnAt: string | null;
}

export interface Bib {
  id: string;
  title: string;
  subtitle: string;
  author: string;
  publisher: string;
  publicationYear: number | null;
  edition: string;
  format: string;
  isbns: string[];
  issns: string[];
  oclcNumbers: string[];
  withdrawnAt: string | null;
}

export interface ItemInput {
  barcode?: string;
  materialTypeId?: string;
  itemPolicyId?: string;
  enumeration?: string;
  chronology?: string;
  description?: string;
}

export interface HoldingInput {
  locationId?: string;
  callNumber?: string;
}

type Ref = { id: string; name: string | null } | null;

export interface HistoryEntry {
  id: number;
  at: string;
  event: string;
  loanId: string | null;
  institution: Ref;
  library: Ref;
  desk: Ref;
  operator: Ref;
  patron: { id: string; name: string } | null;
  details: Record<string, unknown>;
}

export function getItem(institutionId: string, itemId: string, signal?: AbortSignal): Promise<Item> {
  return apiRequest<Item>('GET', `${institutionPath(institutionId)}/items/${enc(itemId)}`, { signal });
}

export function getItemByBarcode(
  institutionId: string,
  barcode: string,
  signal?: AbortSignal,
): Promise<Item> {
  return apiRequest<Item>('GET', `${institutionPath(institutionId)}/items/by-barcode/${enc(barcode)}`, {
    signal,
  });
}

export function getBib(institutionId: string, bibId: string, signal?: AbortSignal): Promise<Bib> {
  return apiRequest<Bib>('GET', `${institutionPath(institutionId)}/bibs/${enc(bibId)}`, { signal });
}

export function updateItem(institutionId: string, itemId: string, body: ItemInput): Promise<Item> {
  return apiRequest<Item>('PATCH', `${institutionPath(institutionId)}/items/${enc(itemId)}`, { body });
}

export function updateHolding(
  institutionId: string,
  holdingId: string,
  body: HoldingInput,
): Promise<unknown> {
  return apiRequest<unknown>('PATCH', `${institutionPath(institutionId)}/holdings/${enc(holdingId)}`, {
    body,
  });
}

export function withdrawItem(institutionId: string, itemId: string): Promise<Item> {
  return apiRequest<Item>('POST', `${institutionPath(institutionId)}/items/${enc(itemId)}/withdraw`);
}

export function getItemHistory(
  institutionId: string,
  itemId: string,
  signal?: AbortSignal,
): Promise<HistoryEntry[]> {
  return apiRequest<HistoryEntry[]>('GET', `${institutionPath(institutionId)}/items/${enc(itemId)}/history`, {
    signal,
  });
}
