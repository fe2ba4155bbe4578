import { UserError } from '../command.js';

/** `npm` through execa, argument arrays only: what `innover new service` needs of it. */
export interface NpmClient {
  /** `npm install` in the project root, so package-lock.json knows the workspaces (the images' `npm ci` reads it). */
  install(): Promise<void>;
}

export function createNpmClient(root: string): NpmClient {
  return {
    async install() {
      const { execa } = await import('execa');
      const result = await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: root, all: true, reject: false });
      if (result.exitCode !== 0) {
        const last = (result.all ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' | ');
        throw new UserError(`npm install failed (exit ${result.exitCode}): ${last || 'no output'}: fix it and rerun, or run npm install yourself`);
      }
    },
  };
}
