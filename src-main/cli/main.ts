/** The `shiwake` command line: one engine, no window. */
import type { Command } from './command.js';
import { parseCommandArgs } from './command.js';
import { classifyCommand, evaluateCommand, exportModelCommand } from './commands/classify.js';
import { duplicatesCommand } from './commands/duplicates.js';
import { hostCommand } from './commands/host.js';
import { reviewCommand } from './commands/review.js';
import { importCommand } from './commands/import.js';
import {
  deleteCategoryCommand,
  excludeCommand,
  historyCommand,
  redoCommand,
  relabelCommand,
  renameCategoryCommand,
  restoreCommand,
  undoCommand,
} from './commands/labels.js';
import { balanceCommand, exportCommand, splitCommand } from './commands/prepare.js';
import { serveCommand } from './commands/serve.js';
import { statsCommand } from './commands/stats.js';
import { thumbnailsCommand } from './commands/thumbnails.js';
import { doctorCommand, runsCommand, trainCommand } from './commands/train.js';
import { handleClosedStdout, UsageError } from './output.js';

const commands: Command[] = [importCommand, statsCommand, relabelCommand, excludeCommand, restoreCommand, undoCommand, redoCommand, historyCommand, renameCategoryCommand, deleteCategoryCommand, thumbnailsCommand, splitCommand, balanceCommand, exportCommand, trainCommand, runsCommand, classifyCommand, evaluateCommand, exportModelCommand, reviewCommand, duplicatesCommand, doctorCommand, serveCommand, hostCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'shiwake: sort a folder of product photos into a clean, balanced dataset',
    '',
    'commands:',
    ...commands.filter((c) => c !== hostCommand).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'shiwake <command> --help shows its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${help()}`);
  const { values, positionals } = parseCommandArgs(command, rest);
  if (values.help) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  return (await command.run(values, positionals)) ?? 0;
}

handleClosedStdout();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`shiwake: ${usage ? '' : 'error: '}${message}\n`);
    if (process.env.SHIWAKE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
