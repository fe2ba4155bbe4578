import { UserError, type CommandModule } from '../command.js';

/** A command whose module is not written yet says so and exits 2; it never pretends. */
export function notBuilt(name: string): CommandModule {
  return {
    handler: () => Promise.reject(new UserError(`'innover ${name}' is not built yet`, { exitCode: 2 })),
  };
}
