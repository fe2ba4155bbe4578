import { startWorker } from '@innover/kit';
import { ledger } from './service.ts';

await startWorker(ledger);
