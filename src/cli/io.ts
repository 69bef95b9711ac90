/** Where a command writes. Commands never touch process.stdout directly, so tests can capture them. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (spinners allowed). */
  stderrIsTTY: boolean;
  /** True when stdout is a terminal (colour allowed). */
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Reads standard input to the end (for `-` arguments). */
  readStdin: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    // A getter: reading process.stderr creates the stream, which costs start-up time when nothing is written.
    get stderrIsTTY() {
      return Boolean(process.stderr.isTTY) && !process.env.CI;
    },
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
