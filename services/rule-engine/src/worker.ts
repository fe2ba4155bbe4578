import { startWorker } from '@innover/kit';
import { ruleEngine } from './service.js';

await startWorker(ruleEngine);
