// Every command module, in --help order. Each exports register(program, ctx).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import * as validate from './validate.js';
import * as compile from './compile.js';
import * as plan from './plan.js';
import * as apply from './apply.js';
import * as sandbox from './sandbox.js';
import * as oci from './oci.js';
import * as watch from './watch.js';
import * as serve from './serve.js';
import * as hook from './hook.js';
import * as graph from './graph.js';
import * as schema from './schema.js';
import * as demo from './demo.js';
import * as explain from './explain.js';
import * as exportCmd from './export.js';
import * as completion from './completion.js';
import * as state from './state.js';
import * as importCmd from './import.js';

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

export const commandModules: CommandModule[] = [validate, compile, plan, apply, sandbox, oci, watch, serve, hook, graph, schema, exportCmd, importCmd, state, demo, explain, completion];
