import { startApi } from '@innover/kit';
import { ruleEngine } from './service.js';

await startApi(ruleEngine);
