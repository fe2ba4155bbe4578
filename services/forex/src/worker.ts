import { startWorker } from '@innover/kit';
import { forex } from './service.js';

await startWorker(forex);
