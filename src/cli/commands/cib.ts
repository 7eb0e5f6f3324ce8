import type { Command } from 'commander';

export function registerCibCommands(_program: Command): void {}
