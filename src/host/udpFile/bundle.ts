// The entry of dist/udpFiles.js: the `.udp` feature as a bundle of its own, which dist/extension.js require()s on
// first use (src/host/udpFilesOnDemand.ts). It carries its own copy of the few small core/shared modules it
// shares with the main bundle (events, payload, validation, scheduler: ~18 KB), so the loader also routes this
// copy's listener errors to the log (logListenerErrors).

export { registerUdpFiles } from './index';
export { logListenerErrors } from '../listenerErrors';
