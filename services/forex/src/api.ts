import { startApi } from '@innover/kit';
import { forex } from './service.ts';

await startApi(forex);
