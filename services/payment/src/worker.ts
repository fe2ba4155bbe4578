import { startWorker } from '@innover/kit';
import { payment } from './service.ts';

await startWorker(payment);
