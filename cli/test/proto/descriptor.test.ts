import { describe, expect, it } from 'vitest';
import { generatedPathOf, isWellKnown, readProtoFiles, topicOf } from '../../src/proto/descriptor.js';

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

describe('topicOf', () => {
  it("names an event's topic as the kit's topicName does for the owning service, without the domain's own prefix", () => {
    expect(topicOf({ domain: 'ledger', packageName: 'innover.ledger.v1' }, 'TransferChanged')).toBe('ledger.transfer-changed.v1');
    expect(topicOf({ domain: 'ledger', packageName: 'innover.ledger.v1' }, 'LedgerEntriesPosted')).toBe('ledger.entries-posted.v1');
    expect(topicOf({ domain: 'payment', packageName: 'innover.payment.v1' }, 'PaymentStatusChanged')).toBe('payment.status-changed.v1');
    expect(topicOf({ domain: 'rule-engine', packageName: 'innover.rule_engine.v1' }, 'RuleEngineRulesChanged')).toBe('rule-engine.rules-changed.v1');
    expect(topicOf({ domain: 'rule-engine', packageName: 'innover.rule_engine.v1' }, 'PaymentEvaluated')).toBe('rule-engine.payment-evaluated.v1');
    expect(topicOf({ domain: 'wallet', packageName: 'innover.wallet.v2' }, 'Wallet')).toBe('wallet.wallet.v2');
  });
});

describe('paths', () => {
  it('names generated files as protoc-gen-es does and knows the well-known types', () => {
    expect(generatedPathOf('rule-engine/v1/rule-engine.proto')).toBe('rule-engine/v1/rule-engine_pb.ts');
    expect(isWellKnown('google/protobuf/timestamp.proto')).toBe(true);
    expect(isWellKnown('common/v1/common.proto')).toBe(false);
  });
});
