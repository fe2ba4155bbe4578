import { startApi } from '@innover/kit';
import { ledger } from './service.ts';

await startApi(ledger);
