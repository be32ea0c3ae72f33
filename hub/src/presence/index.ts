export { PresenceStore, type Presence } from './presenceStore.ts';
