import { startApi } from '@innover/kit';
import { ruleEngine } from './service.ts';

await startApi(ruleEngine);
