/**
 * The `eksdoctor` command line (DESIGN §2). Heavy modules (AWS SDK, Kubernetes client, Ink) are imported only by the
 * commands that use them, so `explain --snapshot` starts about as fast as Node itself.
 */
import { printable } from '../model/printable.js';
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, InputError } from './errors.js';
import { processIo, type CliIo } from './io.js';

function collectRepeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('eksdoctor')
    .description(
      'Explains why an IAM principal gets 401 Unauthorized or 403 Forbidden from Amazon EKS, and prints the exact fix.',
    )
    .version(VERSION, '-V, --version')
    .option('--demo', 'open the interactive app on the bundled seed sample (no AWS account needed)')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showSuggestionAfterError(true)
    .exitOverride();

  // The bare command opens the app, so commander would call an unknown subcommand "too many arguments".
  program.allowExcessArguments(true).allowUnknownOption(true);
  program.action(async (opts: { demo?: boolean }, command: Command) => {
    const word = command.args.find((a) => !a.startsWith('-'));
    if (word !== undefined) {
      throw new InputError(
        `unknown command "${word}": use explain, collect, redact, parse or rules (eksdoctor --help)`,
      );
    }
    const option = command.args[0];
    if (option !== undefined) throw new InputError(`unknown option "${option}" (eksdoctor --help)`);
    const interactive = process.stdin.isTTY && process.stdout.isTTY && !io.env.CI;
    if (!interactive) {
      if (opts.demo) {
        throw new InputError(
          '--demo needs an interactive terminal (stdin and stdout a TTY, CI unset); try `eksdoctor explain --snapshot samples/seed-metrics-api-empty-username.json`',
        );
      }
      program.outputHelp({ error: true });
      setExit(EXIT.usage);
      return;
    }
    const { runApp } = await import('../ui/run.js');
    setExit(await runApp({ demo: Boolean(opts.demo), env: io.env }));
  });

  program
    .command('explain')
    .description('diagnose one failing request')
    .option('--principal <arn>', 'failing IAM principal: user, role, or STS assumed-role ARN')
    .option('--path <path>', 'request path, e.g. /apis/metrics.eks.amazonaws.com/v1')
    .option('--verb <verb>', 'HTTP method or Kubernetes verb (default: get)')
    .option('--namespace <ns>', 'namespace, when not in the path')
    .option('--log <text>', 'pasted error line(s); "-" reads standard input (repeatable)', collectRepeatable)
    .option('--cluster <name>', 'EKS cluster name (collects live evidence unless --snapshot is given)')
    .option('--region <region>', 'AWS region')
    .option('--profile <profile>', 'AWS profile')
    .option('--context <ctx>', 'kubeconfig context')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--snapshot <file>', 'diagnose from a saved snapshot; no AWS or Kubernetes calls')
    .option('--evidence-dir <dir>', 'diagnose from the outputs of `collect --script`')
    .option('--token <token>', 'a k8s-aws-v1 token to decode and check ("-" reads stdin; never printed back)')
    .option('--since <duration>', 'look-back window for CloudTrail and logs', '24h')
    .option('--no-cloudtrail', 'skip CloudTrail (its lookups are paced to 2 per second per Region)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json', 'markdown'])
        .default('text'),
    )
    .option('--save-snapshot <file>', 'also write the evidence that was diagnosed')
    .option('--no-color', 'disable colour')
    .option('--debug', 'print stack traces of internal errors')
    .action(async (_opts, command: Command) => {
      const { explainCommand } = await import('./commands/explain.js');
      // --no-color may be written before or after the subcommand name; merge the global one in.
      setExit(await explainCommand(command.optsWithGlobals(), io));
    });

  program
    .command('collect')
    .description('collect the evidence into a snapshot file (read-only)')
    .option('--cluster <name>', 'EKS cluster name')
    .option('--region <region>', 'AWS region')
    .option('--profile <profile>', 'AWS profile')
    .option('--principal <arn>', 'the failing principal')
    .option('--context <ctx>', 'kubeconfig context')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--since <duration>', 'look-back window for CloudTrail and logs', '24h')
    .option('--no-cloudtrail', 'skip CloudTrail (its lookups are paced to 2 per second per Region)')
    .option('--out <file>', 'write the snapshot here (default: standard output)')
    .option('--redact', 'replace account ids, names and endpoints with stable pseudonyms')
    .option('--script', 'print a read-only aws/kubectl script for --evidence-dir instead of collecting')
    .action(async (opts) => {
      const { collectCommand } = await import('./commands/collect.js');
      setExit(await collectCommand(opts, io));
    });

  program
    .command('redact')
    .description('a shareable copy of a snapshot: same diagnosis, no account ids, names or endpoints')
    .argument('<snapshot>', 'snapshot file')
    .option('--out <file>', 'write here (default: standard output)')
    .action(async (file: string, opts) => {
      const { redactCommand } = await import('./commands/redact.js');
      setExit(await redactCommand(file, opts, io));
    });

  program
    .command('parse')
    .description('what eksdoctor reads from an error line')
    .argument('[text]', 'the pasted text, or "-" for standard input')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (text: string | undefined, opts) => {
      const { parseCommand } = await import('./commands/parse.js');
      setExit(await parseCommand(text, opts, io));
    });

  program
    .command('rules')
    .description("list the rules, or print one rule's documentation")
    .argument('[id]', 'rule id')
    .action(async (id: string | undefined) => {
      const { rulesCommand } = await import('./commands/rules.js');
      setExit(await rulesCommand(id, io));
    });

  program.addHelpText(
    'after',
    '\nExit codes: 0 allowed / no fault, 1 failure explained, 2 usage or input error, 3 not enough evidence, 4 internal error.\n' +
      'Example: eksdoctor explain --principal arn:aws:iam::111122223333:user/alice --path /apis/metrics.eks.amazonaws.com/v1 --cluster prod --region us-east-1\n',
  );
  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.allowed;
  const program = buildProgram(io, (code) => (exitCode = code));
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else commander reports is a usage error.
      return error.exitCode === 0 ? EXIT.allowed : EXIT.usage;
    }
    if (error instanceof InputError || (error instanceof Error && error.name === 'InputError')) {
      // One line (DESIGN §2): a hint follows the message after a semicolon. Control characters from the input are
      // shown escaped, never sent to the terminal.
      const hint = (error as InputError).hint;
      io.stderr(`eksdoctor: ${printable(error.message)}${hint ? `; hint: ${printable(hint)}` : ''}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `eksdoctor: internal error: ${message.split('\n')[0]}\n` +
        'This is a bug. Please report it with the command line and, if you can, a redacted snapshot (`eksdoctor redact`).\n',
    );
    if (debug && error instanceof Error && error.stack) io.stderr(error.stack + '\n');
    return EXIT.internal;
  }
}
