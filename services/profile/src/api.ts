import { startApi } from '@innover/kit';
import { profile } from './service.js';

await startApi(profile);
