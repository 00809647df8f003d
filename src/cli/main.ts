// `udp-lab`: UDP Lab without VS Code. Three commands over the same core the extension uses:
//   udp-lab run FILE [--block NAME] [--json]
//   udp-lab listen [ADDRESS:]PORT [--json] [--count N] [--timeout SECONDS]
//   udp-lab send HOST:PORT PAYLOAD [--encoding E] [--from ADDRESS:PORT] [--repeat N --interval MS] [--await MS]
// Exit codes: 0 all good, 1 an expectation or the network failed, 2 usage or parse errors, 130 interrupted.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PAYLOAD_ENCODINGS, type PayloadEncoding } from '../shared/payload';
import { version } from '../../package.json';
import { ExitCode, UsageError } from './exitCodes';
import { listenCommand } from './listenCommand';
import { runCommand } from './runCommand';
import { sendCommand } from './sendCommand';


function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1, not "${value}".`);
    return Number(value);
  };
}

function nonNegativeNumber(name: string, unit: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number of ${unit} (0 or more), not "${value}".`);
    return n;
  };
}

function positiveNumber(name: string, unit: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number of ${unit} greater than 0, not "${value}".`);
    return n;
  };
}

const encodingOption = (description: string) => new Option('-e, --encoding <encoding>', description).choices(PAYLOAD_ENCODINGS as string[]);

export function buildProgram(): Command {
  const program = new Command('udp-lab')
    .description('UDP Lab on the command line: run .udp files, listen on a port, send datagrams.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 everything held, 1 an expectation or the network failed, 2 usage or parse errors, 130 interrupted.\n' +
        'The .udp format: docs/udp-files.md.',
    );

  program
    .command('run')
    .description('Run a .udp file: LISTEN blocks stay up while SEND blocks run in order; checks every Expect.')
    .argument('<file>', 'the .udp file')
    .option('-b, --block <name>', 'run only this block (and the responders and replies it needs); repeatable', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', 'print one JSON document with every result instead of lines')
    .addHelpText('after', '\nProblems in the file are printed as FILE:LINE:COL: message, and nothing is sent (exit 2).')
    .action(async (file: string, opts: { block?: string[]; json?: boolean }) => {
      process.exitCode = await runCommand(file, opts);
    });

  program
    .command('listen')
    .description('Print every datagram that arrives on a port, one line each.')
    .argument('<[address:]port>', 'port, or address:port ([::1]:9000 for IPv6); without an address, loopback only')
    .option('--json', 'one JSON object per line: {"time","address","family","port","size","hex"}')
    .option('-n, --count <n>', 'exit after this many datagrams', positiveInteger('--count'))
    .option('-t, --timeout <seconds>', 'exit after this many seconds (exit 1 if --count was not reached)', positiveNumber('--timeout', 'seconds'))
    .addOption(encodingOption('how to print payloads in text mode (default: text, with escapes for control bytes)'))
    .option('--reuse-address', 'share the port with other sockets (SO_REUSEADDR)')
    .option('-6, --ipv6', 'with only a port, listen on ::1 instead of 127.0.0.1')
    .action(async (spec: string, opts: { json?: boolean; count?: number; timeout?: number; encoding?: PayloadEncoding; reuseAddress?: boolean; ipv6?: boolean }) => {
      process.exitCode = await listenCommand(spec, opts);
    });

  program
    .command('send')
    .description('Send a datagram; optionally repeat it and wait for replies.')
    .argument('<host:port>', 'destination: host:port, [::1]:port or udp://host:port')
    .argument('<payload>', 'the payload in --encoding; "-" reads it from stdin (raw bytes unless --encoding is given)')
    .addOption(encodingOption('how PAYLOAD is written (default: text)'))
    .option('-f, --from <address:port>', 'send from this local address and port (a port alone binds loopback)')
    .option('-r, --repeat <n>', 'send it this many times', positiveInteger('--repeat'))
    .option('-i, --interval <ms>', 'milliseconds between repeats', nonNegativeNumber('--interval', 'milliseconds'))
    .option('-a, --await <ms>', 'wait this long for a reply to each datagram, print it; exit 1 without one', positiveNumber('--await', 'milliseconds'))
    .option('--json', 'print replies as JSON lines (with rttMs)')
    .option('--no-templates', 'send {{…}} literally instead of filling in built-ins like {{$seq}}')
    .action(async (destination: string, payload: string, opts: { encoding?: PayloadEncoding; from?: string; repeat?: number; interval?: number; await?: number; json?: boolean; templates?: boolean }) => {
      if (opts.interval !== undefined && opts.repeat === undefined) throw new UsageError('--interval needs --repeat: say how many datagrams to send, like --repeat 10 --interval 100.');
      process.exitCode = await sendCommand(destination, payload, opts);
    });

  return program;
}

/** Turns commander's "error: missing required argument 'file'" into a sentence. */
function sentence(commanderMessage: string): string {
  const text = commanderMessage.replace(/^error:\s*/i, '').trim();
  const s = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(s) ? s : `${s}.`;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({ outputError: (str, write) => write(`${sentence(str)}\n`) });
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return ExitCode.Usage;
    }
    // Socket errors from the core are UdpLabErrors whose message is already a sentence.
    const message = error instanceof Error ? ((error as { userMessage?: string }).userMessage ?? error.message) : String(error);
    process.stderr.write(`${message}\n`);
    return ExitCode.Failed;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`udp-lab failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = ExitCode.Failed;
    },
  );
}
