import { describe, expect, it } from 'vitest';
import { engineProblem, oneLineError } from './engine-setup.js';

const ok = (output: string) => ({ exitCode: 0, output });
const failed = (output: string) => ({ exitCode: 1, output });

describe('engineProblem: why the e2e cannot run, in one line', () => {
  it('is nothing when the engine answers and Compose v2 is recent enough', () => {
    expect(engineProblem(ok('Docker Engine 26.1.5'), ok('2.26.1'), {})).toBeUndefined();
    expect(engineProblem(ok('Docker Engine 26.1.5'), ok('v2.20.0'), {})).toBeUndefined();
  });

  it('says the engine does not answer, where it was looked for, and to start it', () => {
    const refused = failed('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
    expect(engineProblem(refused, failed(''), {})).toBe(
      'the e2e needs a running Docker engine with Compose v2: Docker is not reachable at /var/run/docker.sock: start the Docker engine (e.g. sudo systemctl start docker) or set DOCKER_HOST',
    );
    expect(engineProblem(refused, failed(''), { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toContain('Docker is not reachable at tcp://10.0.0.5:2375: start the Docker engine');
  });

  it('names the fix for a socket the user may not open', () => {
    const denied = failed('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock');
    expect(engineProblem(denied, failed(''), {})).toMatch(/: permission denied on \/var\/run\/docker\.sock: add your user to the docker group/);
  });

  it('says what to install without a docker CLI, without Compose v2, or with an old Compose', () => {
    expect(engineProblem({ exitCode: 1, output: '', spawnError: 'ENOENT' }, failed(''), {})).toBe(
      'the e2e needs a running Docker engine with Compose v2, and there is no docker CLI: install Docker Engine with Compose v2 >= 2.20 (docs.docker.com/engine/install)',
    );
    expect(engineProblem(ok('Docker Engine 26.1.5'), failed("docker: 'compose' is not a docker command."), {})).toMatch(/, and Compose v2 is missing: install Docker Engine/);
    expect(engineProblem(ok('Docker Engine 26.1.5'), ok('2.12.2'), {})).toMatch(/, and Compose 2\.12\.2 is too old: install Docker Engine/);
  });

  it('is thrown as an error that prints as its one line', () => {
    const error = oneLineError('the e2e needs a running Docker engine with Compose v2: x');
    expect(error.message).toBe('the e2e needs a running Docker engine with Compose v2: x');
    expect(error.stack?.split('\n')).toEqual(['Error: the e2e needs a running Docker engine with Compose v2: x']);
  });
});
