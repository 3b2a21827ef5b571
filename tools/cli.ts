// The command-line conventions every TypeScript CLI of the repo follows (npm start, the benchmarks):
// -h/--help prints the usage and exits 0; an unknown option, a missing or malformed value prints it and exits 2.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export const EXIT_USAGE = 2;

type HelpOption = { help: { type: 'boolean'; short: 'h' } };
type Config<T extends ParseArgsOptionsConfig> = { options: T; strict: true; allowPositionals: false };
export type CliValues<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<T>>>['values'];

export function parseCli<const T extends ParseArgsOptionsConfig>(
  usage: string,
  options: T,
  args = process.argv.slice(2),
): CliValues<T> {
  try {
    const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as T & HelpOption;
    const { values } = parseArgs({ args, options: withHelp, strict: true, allowPositionals: false });
    if ((values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    return values as CliValues<T>;
  } catch (error) {
    if (
      !(error instanceof TypeError) ||
      !('code' in error) ||
      !String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      throw error;
    }
    return usageExit(usage, error.message);
  }
}

/** A whole number >= min from an option's text, or a usage error naming the option. */
export function wholeNumber(usage: string, name: string, text: string | undefined, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    usageExit(usage, `--${name} must be a whole number >= ${min}, got '${text}'`);
  return value;
}

/** One of `choices` from an option's text, or a usage error naming the option and the choices. */
export function oneOf<const C extends string>(
  usage: string,
  name: string,
  text: string | undefined,
  choices: readonly C[],
): C {
  if (!choices.includes(text as C))
    usageExit(usage, `--${name} must be one of ${choices.join(', ')}, got '${text ?? ''}'`);
  return text as C;
}

function usageExit(usage: string, message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(EXIT_USAGE);
}
