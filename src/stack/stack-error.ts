/**
 * Errors a Stack throws synchronously for a bad request (never for bad packets, which are counted).
 * The codes are POSIX errno names because the net/ layer hands them on as Node's `err.code`.
 */
export type StackErrorCode =
  | 'EADDRINUSE' // the local port (or 4-tuple) is taken
  | 'EADDRNOTAVAIL' // the local address is not one of this stack's
  | 'EINVAL' // a malformed argument, or the stack is closed
  | 'EAGAIN'; // no free ephemeral port (Linux connect() reports EADDRNOTAVAIL; RFC 6056 §3.2 "busy")

export class StackError extends Error {
  readonly code: StackErrorCode;
  constructor(code: StackErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'StackError';
    this.code = code;
  }
}
