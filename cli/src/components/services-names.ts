import type { Service } from '../topology/schema.js';

/** The SQL name of a service's database and user: dashes are not valid in unquoted identifiers. */
export function databaseName(service: Pick<Service, 'name'>): string {
  return service.name.replaceAll('-', '_');
}

/** The BullMQ queue of a service. */
export function serviceQueue(service: Pick<Service, 'name' | 'queue'>): string {
  return service.queue ?? service.name;
}

/** Task routing of a service: its own, or the kit's sample tasks on its own queue. */
export function serviceTasks(service: Pick<Service, 'name' | 'queue' | 'tasks'>): Record<string, string> {
  const queue = serviceQueue(service);
  return service.tasks ?? { add: queue, slow: queue };
}

/** The gateway context of a service, e.g. `/api/rules`. */
export function serviceApiContext(service: Pick<Service, 'name' | 'apiContext'>): string {
  return service.apiContext ?? `/api/${service.name}`;
}
