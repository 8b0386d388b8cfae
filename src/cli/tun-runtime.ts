/**
 * What every TUN command does around its own work: open the device and the stack from the shared
 * flags, stream `--trace` (NDJSON) and `--pcap` files as packets go by, and on the way out close
 * the link and flush the files. Files are written through a buffer with synchronous writes so that
 * a capture is complete even when the process exits from a signal handler.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { openTunStack, type TunLink } from '../link/tun-link.js';
import { TunError } from '../link/tun-native.js';
import { StackError } from '../stack/stack-error.js';
import { pcapFileHeader, pcapRecord } from '../trace/pcap-writer.js';
import { NdjsonWriter } from '../trace/ndjson.js';
import type { TraceEvent } from '../stack/trace-event.js';
import type { TunSettings } from './tun-options.js';
import { UsageError } from './tun-options.js';
import type { TunInterfaceAddress } from '../link/tun-device.js';

const FLUSH_AT = 1 << 20;

/** An append-only file written in 1 MiB chunks. */
export class BufferedFile {
  private fd: number;
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(b: Uint8Array | string): void {
    if (this.fd < 0) return;
    const bytes = typeof b === 'string' ? Buffer.from(b) : b;
    this.chunks.push(bytes);
    this.size += bytes.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.fd < 0 || this.size === 0) return;
    const all = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    let off = 0;
    while (off < all.length) off += writeSync(this.fd, all, off);
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

export interface TunRuntime {
  link: TunLink;
  /** Closes the link and flushes and closes the output files (idempotent). */
  finish(): void;
}

/** Opens device + stack + outputs. Throws UsageError, TunError or StackError. */
export function startTun(s: TunSettings, name = 'synack'): TunRuntime {
  const addresses = [s.ip, s.ip6].filter((a): a is string => a !== undefined);
  const hostAddresses = [s.hostIp, s.hostIp6].filter(
    (a): a is TunInterfaceAddress => a !== undefined,
  );
  let traceFile: BufferedFile | undefined;
  let pcapFile: BufferedFile | undefined;
  let link: TunLink;
  try {
    traceFile = s.trace ? new BufferedFile(s.trace) : undefined;
    pcapFile = s.pcap ? new BufferedFile(s.pcap) : undefined;
  } catch (err) {
    traceFile?.close();
    throw new UsageError(`cannot write ${s.trace ?? s.pcap}: ${(err as Error).message}`);
  }
  const ndjson = new NdjsonWriter(0);
  const trace = traceFile
    ? (e: TraceEvent) => {
        traceFile.write(ndjson.line(e) + '\n');
      }
    : undefined;
  try {
    link = openTunStack({
      device: s.device,
      addresses,
      hostAddresses,
      mtu: s.mtu,
      offload: s.offload,
      tcp: s.tcp,
      name,
      ...(trace ? { trace } : {}),
    });
  } catch (err) {
    traceFile?.close();
    pcapFile?.close();
    throw err;
  }
  if (pcapFile) {
    const f = pcapFile;
    f.write(pcapFileHeader());
    // Wall-clock timestamps: the epoch time at which the stack's clock read 0.
    const epoch = Date.now() - link.stack.clock.now();
    link.tap = (packet, _dir, t) => f.write(pcapRecord(packet, epoch + t));
  }
  let finished = false;
  return {
    link,
    finish() {
      if (finished) return;
      finished = true;
      link.close();
      traceFile?.close();
      pcapFile?.close();
    },
  };
}

/** The one line a TUN command prints for an error it expected (no stack trace). */
export function describeError(err: unknown): string | undefined {
  if (err instanceof UsageError || err instanceof TunError || err instanceof StackError)
    return err.message;
  return undefined;
}
