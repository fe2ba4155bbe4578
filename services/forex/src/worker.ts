import { startWorker } from '@innover/kit';
import { forex } from './service.ts';

await startWorker(forex);
