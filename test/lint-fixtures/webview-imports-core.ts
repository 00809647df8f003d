import { SocketRegistry } from '../core/socketRegistry';
export const leak = SocketRegistry;
