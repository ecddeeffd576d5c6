import { expect } from 'vitest';

// Reading the JSON API's answers in tests: the status checked (its body shown when it is wrong),
// field-level 400s, and keyset-paged lists followed to the end.

/** A page of a list: the items and the cursor of the next page (null at the end). */
export interface ApiPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** The JSON body of an answer that must have `status`. */
export async function json<T>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

/** The fields a 400 `invalid_request` names. */
export async function errorFields(res: Response): Promise<string[]> {
  const body = await json<{ error: { code: string; fields: { field: string }[] } }>(res, 400);
  expect(body.error.code).toBe('invalid_request');
  return body.error.fields.map((f) => f.field);
}

/** Follows pages to the end; returns every item and how many pages it took. */
export async function pageAll<T>(
  fetchPage: (query: string) => Promise<ApiPage<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: ApiPage<T> = await fetchPage(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}
