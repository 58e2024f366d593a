/*
 * msg.h: conventions and shared helpers of the per-API message codecs
 * (protocol/<api>.c: apiversions, metadata, produce, fetch, listoffsets,
 * createtopics, deletetopics, createpartitions, describeconfigs).
 *
 * ONE FILE PER API, BOTH SIDES (STYLE.md §8).  protocol/<api>.c holds the
 * broker side (parse the request, write the response) and the client side
 * (write the request, parse the response) of one ApiKey, so the two cannot
 * drift.  Field order and versions follow Kafka's JSON message specs
 * (clients/src/main/resources/common/message/<Name>{Request,Response}.json);
 * each header repeats the layout as a table with the version of every field.
 *
 * REPRESENTATION.  One C struct per message and per nested struct, with
 * Kafka's CamelCase field names.  Every array field X becomes
 *     int32_t XCnt;  T *X;
 * where XCnt == -1 (and X == NULL) is a null array, only possible for
 * fields Kafka declares nullable in that version.  Strings and bytes are
 * sm_str_t / sm_bytes_t slices (len -1 = null).  Fields that are not samsa
 * wire fields are lower_case.  Every message struct starts with
 * `int16_t ApiVersion`, set by the reader and ignored by the writer (which
 * takes the version as an argument).
 *
 * The four functions of a message <M> (<M> = <Name>Request or
 * <Name>Response):
 *
 *   sm_err_t sm_<M>_read(sm_rd_t *rd, int16_t version, sm_<M>_t *m);
 *       Parses the body at rd's position.  Strings and bytes BORROW from the
 *       frame rd reads, which must outlive m.  Arrays are heap allocated,
 *       and only after sm_rd_array() has checked that their count fits in
 *       the bytes left (so a hostile count never drives a large
 *       allocation).  Fields absent in `version` get Kafka's default.
 *       Returns rd->err; on error everything allocated so far has already
 *       been freed (m is left with no arrays).  Trailing bytes after the
 *       last field are left unread, as Kafka does.  A version outside the
 *       codec's range fails with UNSUPPORTED_VERSION.
 *   void sm_<M>_free(sm_<M>_t *m);
 *       Frees the arrays m owns (not the borrowed slices, not m itself) and
 *       leaves them empty.  Safe on a zeroed struct, on a partially filled
 *       one and twice in a row.
 *   void sm_<M>_write(sm_buf_t *buf, int16_t version, const sm_<M>_t *m);
 *       Appends the body.  Fields absent in `version` are not written.  A
 *       null non-nullable string is written as "" and a null non-nullable
 *       array as empty, so the peer never sees a value it must reject.
 *       Writing a version outside the range is a caller bug (sm_assert).
 *
 * Readers allocate each array with calloc, set XCnt before reading the
 * elements and stop at the first error, so _free() can walk XCnt elements
 * and find only valid or zeroed ones.  That is the invariant that makes
 * _free() safe on partial structs: keep it when adding fields.
 *
 * FLEXIBLE VERSIONS (KIP-482).  Of the ranges samsa serves only ApiVersions
 * v3 is flexible; apis.def's FirstFlexibleVersion is the truth, and every
 * codec passes `flex` down to the primitives so a range can grow past the
 * threshold by adding the tagged-field sections.
 *
 * TO ADD AN API: copy the smallest codec (deletetopics.c), write the spec's
 * table into the header, give each version-dependent field its default on
 * read, add a test suite with the round trip for every version, known bytes
 * and truncation (t/unit/protocol/test_<api>.c), and add the apis.def row.
 *
 * Thread-safety: none needed; messages are per request.
 */
#ifndef SM_PROTOCOL_MSG_H
#define SM_PROTOCOL_MSG_H

#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"
#include "protocol/codec.h"

/* Minimum encoded sizes, for sm_rd_array()'s bound. */
#define SM_MSG_STR_MIN(flex)   ((size_t)((flex) ? 1 : 2))
#define SM_MSG_ARRAY_MIN(flex) ((size_t)((flex) ? 1 : 4))
#define SM_MSG_TAGS_MIN(flex)  ((size_t)((flex) ? 1 : 0))

/* Fail rd with UNSUPPORTED_VERSION unless 0 <= version <= max; returns
 * whether rd is still fine. */
int sm_msg_rd_version(sm_rd_t *rd, int16_t version, int16_t max);

/*
 * Array count of a field.  nullable: whether null (-1) is allowed in this
 * version; a null count for a non-nullable array fails with
 * _NEGATIVE_LENGTH (Kafka: "non-nullable field was serialized as null").
 * Returns the count, -1 for null, 0 after an error.
 */
int32_t sm_msg_rd_count(sm_rd_t *rd, int flex, size_t min_elem, int nullable);

/* Zeroed array of n elements; NULL for n <= 0.  n was bounded by the
 * caller through sm_msg_rd_count(). */
void *sm_msg_calloc(int32_t n, size_t size);

/* Arrays of primitives: []int32, []int64, []string.  *cntp receives the
 * count (-1 null); the result is heap allocated (NULL when empty/null) and
 * freed by the caller with sm_free().  Strings borrow from the frame. */
int32_t  *sm_msg_rd_i32s(sm_rd_t *rd, int flex, int nullable, int32_t *cntp);
int64_t  *sm_msg_rd_i64s(sm_rd_t *rd, int flex, int nullable, int32_t *cntp);
sm_str_t *sm_msg_rd_strs(sm_rd_t *rd, int flex, int nullable, int32_t *cntp);

/* Writers: n < 0 writes a null array when nullable, else an empty one. */
void sm_msg_wr_count(sm_buf_t *buf, int32_t n, int flex, int nullable);
void sm_msg_wr_i32s(sm_buf_t *buf, const int32_t *v, int32_t n, int flex,
                    int nullable);
void sm_msg_wr_i64s(sm_buf_t *buf, const int64_t *v, int32_t n, int flex,
                    int nullable);
void sm_msg_wr_strs(sm_buf_t *buf, const sm_str_t *v, int32_t n, int flex,
                    int nullable);
/* A non-nullable string: null is written as "". */
void sm_msg_wr_str(sm_buf_t *buf, sm_str_t s, int flex);
/* Non-nullable bytes: null is written as empty. */
void sm_msg_wr_bytes(sm_buf_t *buf, sm_bytes_t b, int flex);

/* The empty string, for fields whose Kafka default is "". */
#define SM_STR_EMPTY ((sm_str_t){ "", 0 })

#endif
