export { RealtimeHub } from './realtime-hub';
export type { Handshake, RealtimeHubOptions } from './realtime-hub';
