import type { NetworkPlan } from './types.js';

/**
 * The network of a profile whose workload needs a fixed address, from `network.subnet`: the
 * gateway takes the first address, the fixed workload the second, and the target hands out only
 * the upper half (`ipRange`) to every other workload, so none can be given the fixed address.
 */
export function fixedAddressNetwork(subnet: string): NetworkPlan {
  const [base, bits] = subnet.split('/') as [string, string];
  const prefix = Number(bits);
  const network = ipv4ToNumber(base);
  const size = 2 ** (32 - prefix);
  return {
    subnet,
    ipRange: `${numberToIpv4(network + size / 2)}/${prefix + 1}`,
    gateway: numberToIpv4(network + 1),
    fixedAddress: numberToIpv4(network + 2),
  };
}

/** True when `subnet`'s host bits are all zero, as Docker requires. */
export function isNetworkAddress(subnet: string): boolean {
  const [base, bits] = subnet.split('/') as [string, string];
  return ipv4ToNumber(base) % 2 ** (32 - Number(bits)) === 0;
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
