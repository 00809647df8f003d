// The sockets the test page's fake host reports unless a test says otherwise (importable from Node and the page).

import type { SocketSummary } from '../../../src/shared/protocol';

export const DEFAULT_SOCKETS: SocketSummary[] = [
  { id: 'udp4-1', title: 'udp4 127.0.0.1:5000', type: 'udp4', state: 'listening', local: { address: '127.0.0.1', family: 'IPv4', port: 5000 } },
  { id: 'udp4-2', title: 'statsd · udp4 127.0.0.1:8125', type: 'udp4', state: 'listening', local: { address: '127.0.0.1', family: 'IPv4', port: 8125 } },
  { id: 'udp6-3', title: 'udp6 [::1]:5001', type: 'udp6', state: 'listening', local: { address: '::1', family: 'IPv6', port: 5001 } },
];
