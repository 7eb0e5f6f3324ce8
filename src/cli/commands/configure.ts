import type { Command } from 'commander';

export function registerCrmCommands(_program: Command): void {}
