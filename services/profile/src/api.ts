import { startApi } from '@innover/kit';
import { profile } from './service.ts';

await startApi(profile);
