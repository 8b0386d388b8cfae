/** What every `synack <command>` module exports (src/cli/<command>.ts). */
export interface CliCommand {
  /** One line for `synack --help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. Throwing prints `synack: message` and exits 1. */
  run(args: string[]): Promise<number>;
}
