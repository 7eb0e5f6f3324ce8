import { createInterface } from 'node:readline/promises';

/** stdin and stdout are both a terminal: someone is there to answer and to edit. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** Asks a yes/no question on the terminal; an empty answer takes `byDefault`. */
export async function askYesNo(question: string, byDefault: boolean): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} ${byDefault ? '[Y/n]' : '[y/N]'} `)).trim().toLowerCase();
    if (answer === '') return byDefault;
    return answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
