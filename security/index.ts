export { UNVOUCHED, VouchCodec, type ActorKey } from './vouch-codec';
export { actorKeysFile, newActorKey, parseActorKeys, resolveActorKeys } from './actor-keys';
