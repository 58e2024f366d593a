/*
 * dump_log_coord.c: --offsets-decoder and --transaction-log-decoder, the
 * record formatters for the __consumer_offsets and __transaction_state
 * topics (Kafka's GroupMetadataManager.formatRecordKeyAndValue and
 * TransactionLog.formatRecordKeyAndValue).
 */
#include "tools/dump_log.h"

int
dl_print_offsets_record(sm_bytes_t key, sm_bytes_t value)
{
    (void)key;
    (void)value;
    return dl_throw("java.lang.UnsupportedOperationException",
                    "--offsets-decoder is not supported by samsa yet");
}

int
dl_print_txn_record(sm_bytes_t key, sm_bytes_t value)
{
    (void)key;
    (void)value;
    return dl_throw("java.lang.UnsupportedOperationException",
                    "--transaction-log-decoder is not supported by samsa yet");
}
