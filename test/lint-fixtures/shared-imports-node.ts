import * as dgram from 'node:dgram';
export const leak = dgram.createSocket;
