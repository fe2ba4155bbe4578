/** Types of scripts/convert-contracts.js for the tests that import it. */
export declare const contractsDirectory: string;
export declare function contractJson(yamlText: string): string;
export declare function yamlContracts(root?: string): Array<{ yaml: string; json: string }>;
