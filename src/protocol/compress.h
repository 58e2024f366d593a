/*
 * compress.h: the compression codecs of Kafka's record formats.
 *
 * Codec ids are Kafka's CompressionType ids, the low 3 bits of the batch or
 * message attributes: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd.
 *
 * Framings (../shared/reference/protocol.md §3.3):
 *   gzip    RFC 1952 (zlib with gzip header).  Decode accepts gzip only:
 *           zlib and raw deflate streams are NOT accepted (Kafka never
 *           writes them); concatenated members are one stream.
 *   snappy  write: xerial framing (what the Java client writes);
 *           read: xerial framing or a raw snappy block (librdkafka, sarama).
 *   lz4     LZ4 frame.  SM_COMPRESS_LZ4_LEGACY writes the broken header
 *           checksum of magic 0 (KAFKA-3160) and decode with the same flag
 *           accepts it; without the flag the checksum must be right.
 *   zstd    zstd frame (magic 2 only - the caller enforces that).
 *
 * Decompression is bounded: output beyond max_out stops with
 * SM_ERR__TOO_LARGE before the memory is allocated, so a decompression bomb
 * costs at most max_out (+1) bytes of output buffer plus the codec's own
 * bounded working memory.  max_out is literal: 0 allows only empty output.
 * Corrupt or truncated input gives SM_ERR__COMPRESSION.
 * Output is appended to the caller's sm_buf_t (the caller owns it, also on
 * failure, when its content past the original length is unspecified).
 *
 * Thread-safe: no shared state (per-call codec contexts).
 */
#ifndef SM_PROTOCOL_COMPRESS_H
#define SM_PROTOCOL_COMPRESS_H

#include <stddef.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"

typedef enum sm_codec {
    SM_CODEC_NONE = 0,
    SM_CODEC_GZIP = 1,
    SM_CODEC_SNAPPY = 2,
    SM_CODEC_LZ4 = 3,
    SM_CODEC_ZSTD = 4,
} sm_codec_t;

#define SM_CODEC__CNT 5

/* flags */
#define SM_COMPRESS_LZ4_LEGACY  0x1   /* magic-0 LZ4 header checksum */
#define SM_COMPRESS_SNAPPY_RAW  0x2   /* write a raw snappy block, no xerial */

/* "none", "gzip", "snappy", "lz4", "zstd" (Kafka's names). */
const char *sm_codec_name(sm_codec_t codec);
/* Parse a Kafka compression.type name; -1 if unknown.  "producer" and
 * "uncompressed" are handled by the caller (topic config semantics). */
int sm_codec_parse(const char *name);

/* Compress src and append the result to out.  level < 0: codec default. */
sm_err_t sm_compress(sm_codec_t codec, int level, sm_slice_t src,
                     sm_buf_t *out, int flags);
/* Decompress src and append at most max_out bytes to out. */
sm_err_t sm_decompress(sm_codec_t codec, sm_slice_t src, size_t max_out,
                       sm_buf_t *out, int flags);

#endif
