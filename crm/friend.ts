/** A LINE user who added a bot (F1.4). More fields (phone, e-mail, links) arrive with later features. */
export interface Friend {
  id: string;
  botId: string;
  lineUserId: string;
  displayName: string | null;
  pictureUrl: string | null;
  statusMessage: string | null;
  language: string | null;
  firstFollowedAt: Date | null;
  lastFollowedAt: Date | null;
  blockedAt: Date | null;
  routeId: string | null;
  profileFetchedAt: Date | null;
  createdAt: Date;
}

/** How Kizuna first learnt of a friend. */
export type FriendSource = 'follow' | 'event' | 'import' | 'liff';

export type ConversationStatus = 'open' | 'pending' | 'resolved';
export type MessageDirection = 'in' | 'out';

/** A route's attribution window: a follow within this time after opening the route's URL counts. */
export const ROUTE_ATTRIBUTION_MS = 24 * 60 * 60 * 1000;
