/**
 * Typed parse failures. Parsers in wire/ never throw on bad bytes: they return a ParseResult whose
 * `reason` a stack can count and trace (ARCHITECTURE.md, "Malformed → counted, traced, dropped").
 */
export type ParseErrorReason =
  | 'truncated'
  | 'bad-version'
  | 'bad-header-length'
  | 'bad-total-length'
  | 'bad-data-offset'
  | 'bad-option'
  | 'bad-checksum'
  | 'not-tcp'
  | 'fragment'
  | 'bad-address';

export type ParseResult<T> =
  { ok: true; value: T } | { ok: false; reason: ParseErrorReason; detail: string };

/** A failed parse (ParseResult's failure arm). */
export type ParseFailure = Extract<ParseResult<never>, { ok: false }>;

/** Builds a successful result. */
export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

/** Builds a failed result (assignable to any ParseResult<T>). */
export function fail(
  reason: ParseErrorReason,
  detail: string,
): { ok: false; reason: ParseErrorReason; detail: string } {
  return { ok: false, reason, detail };
}

/**
 * Thrown by builders (emit*, build*) for wrong arguments from our own code — an address that is not
 * an IP address, mixed families, options that do not fit. Parsers never throw; builders may.
 */
export class WireError extends Error {
  readonly reason: ParseErrorReason | 'bad-argument';
  constructor(reason: ParseErrorReason | 'bad-argument', message: string) {
    super(message);
    this.name = 'WireError';
    this.reason = reason;
  }
}
