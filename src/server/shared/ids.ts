import { v7 as uuidv7 } from 'uuid';

/**
 * The id of a row the code makes before inserting it (a loan, a request), in time order
 * (UUID version 7, RFC 9562: the first 48 bits are the millisecond it was made, the rest random).
 *
 * A random (version 4) id puts every new row's key in a random leaf page of its index, and of
 * every index that carries it (a loan's id is in its history and in its receipt's message id):
 * each insert dirties another page, and after each checkpoint PostgreSQL writes the whole page
 * into its WAL the first time it changes it, so every loan wrote several 8 KB page images that
 * every later commit's flush carried. Ids in time order go to the right-hand leaf, which
 * consecutive loans share (decision 73, docs/benchmarks.md). They say when the row was made,
 * which every one of these rows also shows in a column.
 */
export function newRowId(): string {
  return uuidv7();
}
