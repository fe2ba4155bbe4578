import { startWorker } from '@innover/kit';
import { wallet } from './service.ts';

await startWorker(wallet);
