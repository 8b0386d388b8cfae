/**
 * `synack <command> [options]`: dispatches to src/cli/<command>.ts, each of which exports a
 * CliCommand as `command`. Commands are loaded on demand so that `synack demo` does not load the
 * TUN addon, and the web server's code is not loaded by `synack sim`.
 */
import type { CliCommand } from './command.js';

/** The commands, in the order `--help` lists them. */
export const COMMANDS = ['demo', 'trace', 'sim', 'serve', 'connect', 'get', 'web'] as const;
type CommandName = (typeof COMMANDS)[number];

async function load(name: CommandName): Promise<CliCommand | undefined> {
  try {
    const mod = (await import(`./${name}.js`)) as { command?: CliCommand };
    return mod.command;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

async function help(): Promise<string> {
  const lines = [
    'usage: synack <command> [options]   (synack <command> --help for its options)',
    '',
  ];
  for (const name of COMMANDS) {
    const c = await load(name);
    if (c) lines.push(`  ${name.padEnd(9)} ${c.summary}`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log('synack 0.1.0');
    return 0;
  }
  const cmd = (COMMANDS as readonly string[]).includes(name)
    ? await load(name as CommandName)
    : undefined;
  if (!cmd) {
    console.error(`synack: unknown command '${name}'\n\n${await help()}`);
    return 2;
  }
  return cmd.run(rest);
}
