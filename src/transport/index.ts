export { deriveKeys, readKeyFile, MIN_KEY_BYTES, type ClusterKeys } from './keys.js';
export { UdpTransport, DEFAULT_PORT, type LinkSpec, type LinkMode, type LogFn, type UdpTransportOptions } from './udp.js';
export { StreamTransport, MAX_FRAME, type StreamOptions } from './stream.js';
export { probeListener } from './probe.js';
export { zeroCounters, type PacketCounters } from './counters.js';
export { encodeDatagram, decodeDatagram, type Datagram } from './wire.js';
export { ReplayGuard, REPLAY_WINDOW } from './replay.js';
