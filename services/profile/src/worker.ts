import { startWorker } from '@innover/kit';
import { profile } from './service.ts';

await startWorker(profile);
