/*
 * rec_util.h: shared helpers of the record-format tests (test_records.c,
 * test_convert.c, test_golden.c): a fixed set of test records, building
 * them with any magic/codec, comparing what iteration yields, and the
 * truncation torture every input goes through.
 */
#ifndef SM_TEST_REC_UTIL_H
#define SM_TEST_REC_UTIL_H

#include "protocol/records.h"

#define RT_MAX_HDRS 4

/* One expected record. */
typedef struct rt_rec {
    int64_t offset;
    int64_t timestamp;
    sm_bytes_t key;
    sm_bytes_t value;
    int nhdrs;
    sm_record_header_t hdrs[RT_MAX_HDRS];
} rt_rec_t;

#define RT_MAX_DECOMP ((size_t)64 << 20)

/* The standard records: keys, a null key, a null value (tombstone), empty
 * key and value, headers with null and empty values, a timestamp below the
 * first, and one 100 KiB value.  Offsets are base + i, timestamps around
 * 1.6e12.  Returns the count. */
int rt_std_records(rt_rec_t *recs, int max, int64_t base);

/* Build recs into out as one entry (or one message per record for legacy
 * uncompressed).  flags go to bb.codec_flags when non-negative.  Returns
 * finish()'s result. */
sm_err_t rt_build(sm_buf_t *out, int8_t magic, sm_codec_t codec,
                  const rt_rec_t *recs, int n, int flags);

/* Iterate every entry and record of blob (validating each entry) and
 * compare with want; headers are compared when want_headers.  Also checks
 * nothing is partial and no error is reported.  Returns the entry count. */
int rt_check_blob(const uint8_t *blob, size_t len, const rt_rec_t *want,
                  int n, int want_headers);

/* Walk blob like a consumer would: entries, validate, records, headers.
 * Reports records seen and whether anything failed or was partial. */
typedef struct rt_walk {
    int entries;
    int records;
    int partial;
    sm_err_t err;                /* first error of any kind */
} rt_walk_t;
void rt_walk(const uint8_t *blob, size_t len, rt_walk_t *w);

/* Truncate blob at every byte position (into an exactly-sized heap copy,
 * so ASan sees overreads) and walk it: every cut must be partial, fail, or
 * yield fewer records.  Then, for each entry, shorten it inside: patch its
 * Length (and a legacy wrapper's value length), fix the checksum, and walk
 * again: record iteration must fail.  Large entries are cut at a stride. */
void rt_truncate_all(const uint8_t *blob, size_t len);

/* Compare helpers. */
int rt_bytes_eq(sm_bytes_t a, sm_bytes_t b);

#endif
