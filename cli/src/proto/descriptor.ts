/**
 * What `innover proto` needs to know about the compiled protos, read from the JSON image that
 * `buf build` writes (a google.protobuf.FileDescriptorSet in proto3 JSON). Pure: text in, data out.
 */

/** One .proto file of the module, as far as `innover proto` is concerned. */
export interface ProtoFile {
  /** Path inside the module, e.g. `payment/v1/payment.proto`. */
  name: string;
  /** e.g. `innover.payment.v1`. */
  packageName: string;
  /** The first path segment: `payment`, `rule-engine`, `common`. */
  domain: string;
  /** Imports, as module paths; `google/protobuf/*` included (they come from @bufbuild/protobuf/wkt). */
  dependencies: readonly string[];
  /** Top-level messages whose field 1 is `innover.common.v1.EventMetadata metadata`. */
  events: readonly string[];
}

/** The envelope type that marks a message as an event (see protos/common/v1/common.proto). */
export const eventMetadataType = '.innover.common.v1.EventMetadata';

interface JsonField {
  name?: string;
  number?: number;
  typeName?: string;
}
interface JsonMessage {
  name?: string;
  field?: JsonField[];
}
interface JsonFile {
  name?: string;
  package?: string;
  dependency?: string[];
  messageType?: JsonMessage[];
}

/** Parses `buf build -o image.json` output. Throws when the text is not a descriptor set. */
export function readProtoFiles(imageJson: string): ProtoFile[] {
  const image = JSON.parse(imageJson) as { file?: JsonFile[] };
  if (!Array.isArray(image.file)) throw new Error('buf image has no "file" list');
  return image.file.map((file) => {
    const name = file.name ?? '';
    return {
      name,
      packageName: file.package ?? '',
      domain: name.split('/')[0] ?? name,
      dependencies: file.dependency ?? [],
      events: (file.messageType ?? [])
        .filter((message) =>
          (message.field ?? []).some(
            (field) => field.number === 1 && field.name === 'metadata' && field.typeName === eventMetadataType,
          ),
        )
        .map((message) => message.name ?? ''),
    };
  });
}

/** True for files the protobuf runtime ships (`@bufbuild/protobuf/wkt`): never generated into services. */
export function isWellKnown(fileName: string): boolean {
  return fileName.startsWith('google/protobuf/');
}

/** The generated TypeScript path of a proto file, as protoc-gen-es names it. */
export function generatedPathOf(fileName: string): string {
  return fileName.replace(/\.proto$/, '_pb.ts');
}

/**
 * The Kafka topic of an event message: `<domain>.<event>.v<N>`, the event being the message name in
 * kebab case without the domain's own prefix (`innover.ledger.v1.TransferChanged` → `ledger.transfer-changed.v1`,
 * `innover.payment.v1.PaymentStatusChanged` → `payment.status-changed.v1`): the kit's `topicName(service, event)`
 * for the service that owns the domain. Pure.
 */
export function topicOf(file: Pick<ProtoFile, 'domain' | 'packageName'>, message: string): string {
  const prefix = file.domain
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  const event = message.startsWith(prefix) && message.length > prefix.length ? message.slice(prefix.length) : message;
  const version = /\.v(\d+)$/.exec(file.packageName)?.[1] ?? '1';
  return `${file.domain}.${kebab(event)}.v${version}`;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
