// replaced by @innover/proto's ledger TransferChanged codec at merge
/**
 * The codec of `ledger.transfer-changed.v1`. Until the ledger's TransferChanged lands in
 * protos/ledger/v1/ledger.proto, `ledger-proto/` holds protoc-gen-es output of a stand-in with the shape
 * ISSUE-10-PLAN.md fixes; at merge the imports below point at `@innover/proto/ledger/v1/ledger_pb.js`
 * and the generated codec, and `ledger-proto/` is deleted.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { TransferChangedSchema } from './ledger-proto/ledger/v1/transfer_changed_pb.js';
import type { TransferChanged } from './ledger-proto/ledger/v1/transfer_changed_pb.js';

export { EntryDirection, TransferStatus, TransferChangedSchema } from './ledger-proto/ledger/v1/transfer_changed_pb.js';
export type { TransferChanged } from './ledger-proto/ledger/v1/transfer_changed_pb.js';

export const ledgerTransferChangedCodec = {
  typeName: TransferChangedSchema.typeName,
  encode: (value: MessageInitShape<typeof TransferChangedSchema>): Uint8Array => toBinary(TransferChangedSchema, create(TransferChangedSchema, value)),
  decode: (bytes: Uint8Array): TransferChanged => fromBinary(TransferChangedSchema, bytes),
};
