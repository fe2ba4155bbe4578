import { defaultModules } from '../components/index.js';
import type { ComponentModule } from '../components/module.js';
import { planStack } from '../plan/plan-stack.js';
import type { SecretPlan } from '../plan/types.js';
import type { Topology } from '../topology/schema.js';

/**
 * The `.env` secrets the component modules declare, across every profile of the topology, each
 * once, in module order (pure). The fixed keys of `.env` are among them; a new module's secret
 * (an object store's root password, say) reaches `.env.example`, `innover init` and the validation
 * from its module alone.
 */
export function componentSecrets(topology: Topology, modules: readonly ComponentModule[] = defaultModules): SecretPlan[] {
  const found = new Map<string, SecretPlan>();
  for (const profile of Object.keys(topology.profiles)) {
    for (const component of planStack(topology, profile, modules).componentPlans) {
      for (const secret of component.secrets) if (!found.has(secret.key)) found.set(secret.key, secret);
    }
  }
  return [...found.values()];
}
