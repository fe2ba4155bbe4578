import { startWorker } from '@innover/kit';
import { payment } from './service.js';

await startWorker(payment);
