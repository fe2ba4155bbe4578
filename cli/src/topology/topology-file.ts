/** The topology file that marks a project root. */
export const topologyFileName = 'innover.yaml';
