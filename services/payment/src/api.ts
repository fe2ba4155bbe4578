import { startApi } from '@innover/kit';
import { payment } from './service.js';

await startApi(payment);
