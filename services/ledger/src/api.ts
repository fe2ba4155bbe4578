import { startApi } from '@innover/kit';
import { ledger } from './service.js';

await startApi(ledger);
