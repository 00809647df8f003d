// The host's pick lists and the network-exposure question use the core's address helpers (shared with the CLI).
export { exposesToNetwork, isLoopback, isWildcard, localAddresses, type LocalAddress } from '../core/localAddresses';
