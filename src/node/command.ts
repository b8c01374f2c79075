/**
 * The frame the npm-run commands (export, tokenize, dataset) share around their own work: flags
 * that take a value declared by name, and a thrown error printed as "<command>: <message>" with
 * exit status 1 instead of a stack trace.
 */

type StringOptions<K extends string> = { readonly [P in K]: { readonly type: 'string' } };

/** parseArgs options for flags that take a value: `{ model: { type: 'string' }, … }`. */
export function stringOptions<const K extends string>(names: readonly K[]): StringOptions<K> {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' }])) as unknown as StringOptions<K>;
}

/** -h / --help: each command prints its usage. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Runs `main`; a number it returns becomes the exit status (process.exit, so that no lingering
 * handle keeps a stopped run alive), otherwise the process ends when its work does.
 */
export function runCommand(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (code !== undefined) process.exit(code);
    },
    (e: unknown) => {
      console.error(`${name}: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
