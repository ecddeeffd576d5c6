import { z } from 'zod';

/** A tag's name, unique per bot (F5.1). */
export const tagNameSchema = z.string().trim().min(1, 'is required').max(50);

/** Who or what added a tag to a friend. */
export const TAG_SOURCES = ['staff', 'form', 'rule', 'message', 'link'] as const;
export type TagSource = (typeof TAG_SOURCES)[number];

export interface Tag {
  id: string;
  botId: string;
  name: string;
}

/** What an add did: `added` (new to the friend) or `readded` (a form re-submit, F2.2). */
export interface TagAddition {
  tagId: string;
  name: string;
  readded: boolean;
}
