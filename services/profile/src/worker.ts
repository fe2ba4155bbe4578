import { startWorker } from '@innover/kit';
import { profile } from './service.js';

await startWorker(profile);
