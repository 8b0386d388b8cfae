/**
 * The page's exports, all made by the trace layer from the run's own events: a pcap of every
 * packet sent (Wireshark reads it), the NDJSON trace, the ladder as a standalone SVG and as
 * Mermaid text. Nothing here formats a file itself.
 */
import { renderLadderMermaid } from '../trace/ladder-mermaid.js';
import { renderLadderSvg } from '../trace/ladder-svg.js';
import type { WebSession } from './session.js';

export const EXPORTS = ['pcap', 'ndjson', 'svg', 'mermaid'] as const;
export type ExportKind = (typeof EXPORTS)[number];

export interface ExportFile {
  extension: string;
  type: string;
  data: Uint8Array | string;
  /** Bytes (UTF-8 for text). */
  size: number;
}

export function exportRun(
  session: WebSession,
  kind: ExportKind,
  opts: { relative?: boolean; title?: string } = {},
): ExportFile {
  const text = (extension: string, type: string, data: string): ExportFile => ({
    extension,
    type,
    data,
    size: new TextEncoder().encode(data).length,
  });
  switch (kind) {
    case 'pcap': {
      const data = session.pcap();
      return { extension: 'pcap', type: 'application/vnd.tcpdump.pcap', data, size: data.length };
    }
    case 'ndjson':
      return text('ndjson', 'application/x-ndjson', session.ndjson());
    case 'svg':
      return text(
        'svg',
        'image/svg+xml',
        renderLadderSvg(session.ladder(), {
          absolute: opts.relative === false,
          title: [opts.title ?? 'synack run'],
        }),
      );
    case 'mermaid':
      return text(
        'mmd',
        'text/plain',
        renderLadderMermaid(session.ladder(), { absolute: opts.relative === false }),
      );
  }
}
