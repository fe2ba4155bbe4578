import { startApi } from '@innover/kit';
import { wallet } from './service.js';

await startApi(wallet);
