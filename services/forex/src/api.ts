import { startApi } from '@innover/kit';
import { forex } from './service.js';

await startApi(forex);
