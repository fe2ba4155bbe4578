/** The ledger's `ledger.transfer-changed.v1`, as the wallet's projection reads it. */
export { EntryDirection, TransferStatus, TransferChangedSchema } from '@innover/proto/ledger/v1/ledger_pb.js';
export type { TransferChanged } from '@innover/proto/ledger/v1/ledger_pb.js';
export { transferChangedCodec as ledgerTransferChangedCodec } from '@innover/proto/events.js';
