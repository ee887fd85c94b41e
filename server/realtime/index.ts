export { RealtimeHub } from './realtime-hub';
export type { RealtimeHubOptions } from './realtime-hub';
