import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { explainWriteError } from '../engine/db/connection.js';
import { DB_FILE, Project } from '../engine/project.js';
import { UsageError } from './output.js';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number | void> | number | void;
}

export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}\nusage: ${command.usage}`);
  }
}

export function requireString(values: Record<string, unknown>, name: string, command: Command): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required\nusage: ${command.usage}`);
  return value;
}

export function optionalNumber(values: Record<string, unknown>, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${what} (got "${String(value)}")`);
  }
  return n;
}

/** Opens the project named by --project and closes it when `fn` is done. */
export async function withProject<T>(values: Record<string, unknown>, command: Command, fn: (project: Project) => Promise<T> | T): Promise<T> {
  const project = Project.open(requireString(values, 'project', command));
  try {
    return await fn(project);
  } catch (err) {
    // a single write outside a transaction can time out too: name the lock holder as they do
    throw explainWriteError(err, path.join(project.dir, DB_FILE));
  } finally {
    project.close();
  }
}

export const projectOption = { project: { type: 'string' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;

/** --backbone <folder-or-url> [--image-size S], the review's and duplicates' other source of embeddings than --run. */
export const backboneOptions = { backbone: { type: 'string' }, 'image-size': { type: 'string' } } as const;

export function backboneArgs(values: Record<string, unknown>, command: Command): { run?: string; backbone?: string; imageSize?: number } {
  const run = values.run as string | undefined;
  const backbone = values.backbone as string | undefined;
  if (run !== undefined && backbone !== undefined) throw new UsageError(`--run and --backbone are exclusive: embed with a trained run or with a backbone\nusage: ${command.usage}`);
  if (backbone === '') throw new UsageError(`--backbone needs a folder with model.json or an http(s) URL of one\nusage: ${command.usage}`);
  const imageSize = optionalNumber(values, 'image-size', (n) => Number.isInteger(n) && n >= 8 && n <= 2048, 'a whole number of pixels from 8 to 2048');
  if (imageSize !== undefined && backbone === undefined) throw new UsageError(`--image-size goes with --backbone (a trained run keeps its own)\nusage: ${command.usage}`);
  return { run, backbone, imageSize };
}
