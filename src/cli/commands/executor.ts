import type { Command } from 'commander';

export function registerExecutorCommands(_program: Command): void {}
