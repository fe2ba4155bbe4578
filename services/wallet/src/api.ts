import { startApi } from '@innover/kit';
import { wallet } from './service.ts';

await startApi(wallet);
