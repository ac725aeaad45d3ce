// Every command module, in --help order. Each exports register(program, ctx).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import * as validate from './validate.js';
import * as compile from './compile.js';
import * as plan from './plan.js';
import * as apply from './apply.js';
import * as demo from './demo.js';
import * as schema from './schema.js';

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

export const commandModules: CommandModule[] = [validate, compile, plan, apply, demo, schema];
