/** The wire layer's public surface (byte formats; pure, no Node APIs). */
export * from './seqnum.js';
export * from './tcp-segment.js';
export * from './parse-error.js';
export * from './address.js';
export * from './checksum.js';
export * from './tcp-options.js';
export * from './tcp-header.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './icmp.js';
export * from './ip-packet.js';
