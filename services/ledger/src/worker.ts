import { startWorker } from '@innover/kit';
import { ledger } from './service.js';

await startWorker(ledger);
