import { describe, expect, it } from 'vitest';
import { generatedPathOf, isWellKnown, readProtoFiles } from '../../src/proto/descriptor.js';
import { protoFilesForService } from '../../src/proto/service-domains.js';

const image = JSON.stringify({
  file: [
    { name: 'google/protobuf/timestamp.proto', package: 'google.protobuf', messageType: [{ name: 'Timestamp' }] },
    {
      name: 'common/v1/common.proto',
      package: 'innover.common.v1',
      dependency: ['google/protobuf/timestamp.proto'],
      messageType: [{ name: 'EventMetadata', field: [{ name: 'event_id', number: 1 }] }],
    },
    {
      name: 'payment/v1/payment.proto',
      package: 'innover.payment.v1',
      dependency: ['common/v1/common.proto'],
      messageType: [
        { name: 'Payment', field: [{ name: 'payment_id', number: 1 }] },
        { name: 'PaymentInitiated', field: [{ name: 'metadata', number: 1, typeName: '.innover.common.v1.EventMetadata' }] },
        // metadata, but not as field 1: not an event by the convention
        { name: 'Audit', field: [{ name: 'id', number: 1 }, { name: 'metadata', number: 2, typeName: '.innover.common.v1.EventMetadata' }] },
      ],
    },
    {
      name: 'ledger/v1/ledger.proto',
      package: 'innover.ledger.v1',
      dependency: ['common/v1/common.proto'],
      messageType: [{ name: 'LedgerEntriesPosted', field: [{ name: 'metadata', number: 1, typeName: '.innover.common.v1.EventMetadata' }] }],
    },
  ],
});

describe('readProtoFiles', () => {
  it('reads domains, imports and the event messages (field 1 = EventMetadata metadata)', () => {
    const files = readProtoFiles(image);
    expect(files.map((file) => [file.name, file.domain, file.events])).toEqual([
      ['google/protobuf/timestamp.proto', 'google', []],
      ['common/v1/common.proto', 'common', []],
      ['payment/v1/payment.proto', 'payment', ['PaymentInitiated']],
      ['ledger/v1/ledger.proto', 'ledger', ['LedgerEntriesPosted']],
    ]);
    expect(files[2]?.packageName).toBe('innover.payment.v1');
  });

  it('refuses text that is not a descriptor set', () => {
    expect(() => readProtoFiles('{"nothing": true}')).toThrow(/no "file" list/);
  });
});

describe('protoFilesForService', () => {
  const files = readProtoFiles(image);

  it('gives a service its own domain, the domains it consumes, and their imports', () => {
    expect(protoFilesForService('ledger', files, { ledger: ['payment'] }).map((file) => file.name)).toEqual([
      'google/protobuf/timestamp.proto',
      'common/v1/common.proto',
      'payment/v1/payment.proto',
      'ledger/v1/ledger.proto',
    ]);
  });

  it('gives a service that consumes nothing only its own domain and imports', () => {
    expect(protoFilesForService('payment', files, {}).map((file) => file.domain)).toEqual(['google', 'common', 'payment']);
  });

  it('gives a service without protos nothing', () => {
    expect(protoFilesForService('kyc', files, {})).toEqual([]);
  });
});

describe('paths', () => {
  it('names generated files as protoc-gen-es does and knows the well-known types', () => {
    expect(generatedPathOf('rule-engine/v1/rule-engine.proto')).toBe('rule-engine/v1/rule-engine_pb.ts');
    expect(isWellKnown('google/protobuf/timestamp.proto')).toBe(true);
    expect(isWellKnown('common/v1/common.proto')).toBe(false);
  });
});
