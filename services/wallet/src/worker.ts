import { startWorker } from '@innover/kit';
import { wallet } from './service.js';

await startWorker(wallet);
