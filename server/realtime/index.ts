export { RealtimeHub } from './realtime-hub';
export type { Handshake, RealtimeHubOptions } from './realtime-hub';
export { EventJournal, type EventJournalOptions } from './event-journal';
export { createPostgresFanout, type Fanout } from './postgres-fanout';
export { roomsFor } from './rooms';
export { createStudyPublisher, type PublishStudyChange } from './study-publisher';
export type { SessionsToEnd } from './realtime-hub';
