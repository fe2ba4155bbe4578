import { startApi } from '@innover/kit';
import { payment } from './service.ts';

await startApi(payment);
