import type { Topology } from './schema.js';

/**
 * Who consumes which event, as the topology declares it (`services[].consumes`). Pure: the event list
 * comes from protos/ (the generated package's topics.json, or `innover proto`'s fresh build).
 */

/** The owning service of a topic: `ledger.transfer-changed.v1` → `ledger`. */
export function producerOf(topic: string): string {
  return topic.split('.')[0] ?? topic;
}

/** The services that consume `topic`, in topology order. */
export function consumersOf(topology: Pick<Topology, 'services'>, topic: string): string[] {
  return topology.services.filter((service) => service.consumes.includes(topic)).map((service) => service.name);
}

/**
 * Every consumer of the events `producer` publishes, other than itself: what keeps a service from being
 * removed while another one still depends on its events.
 */
export function consumersOfEventsOf(topology: Pick<Topology, 'services'>, producer: string): { topic: string; consumer: string }[] {
  return topology.services.flatMap((service) =>
    service.name === producer ? [] : service.consumes.filter((topic) => producerOf(topic) === producer).map((topic) => ({ topic, consumer: service.name })),
  );
}

/** One `path: problem: fix` line per consumed topic that protos/ defines no event for, and per repeat. */
export function consumesProblems(topology: Pick<Topology, 'services'>, topics: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const known = [...topics].sort();
  topology.services.forEach((service, index) => {
    const seen = new Set<string>();
    service.consumes.forEach((topic, position) => {
      const path = `services[${index}].consumes[${position}]`;
      if (seen.has(topic)) problems.push(`${path}: '${topic}' is listed twice: remove the repeat`);
      else if (!topics.has(topic)) {
        problems.push(
          `${path}: no event in protos/ is published to '${topic}': use one of ${known.join(', ') || '(none yet)'}, or add the message to protos/${producerOf(topic)}/v1/ and run innover proto`,
        );
      }
      seen.add(topic);
    });
  });
  return problems;
}
