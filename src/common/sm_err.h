/*
 * sm_err.h: samsa's one error space (STYLE.md §4).
 *
 * sm_err_t values are generated from errors.def.  Zero and positive values
 * are Kafka wire codes, -1 is UNKNOWN_SERVER_ERROR, -200..-100 are local.
 * Functions that can fail return sm_err_t and callers compare explicitly:
 *     if (err != SM_OK) goto out;
 * errno is converted at the OS edge (the caller logs the failing syscall
 * and the object, then returns SM_ERR__IO or a more precise code).
 */
#ifndef SM_ERR_H
#define SM_ERR_H

typedef enum sm_err {
#define SM_ERR_DEF(name, code, desc) SM_ERR_##name = (code),
#include "common/errors.def"
#undef SM_ERR_DEF
    SM_OK = 0
} sm_err_t;

/* "NOT_LEADER_FOR_PARTITION", "_TRUNCATED"; "ERR_<n>" for unknown codes
 * (the string then lives in a thread-local buffer). */
const char *sm_err_name(sm_err_t err);
/* Human-readable description. */
const char *sm_err_desc(sm_err_t err);
/* True for codes in the local range. */
static inline int sm_err_is_local(sm_err_t err)
{
    return err <= SM_ERR__END && err >= SM_ERR__BEGIN;
}
/* The code to put on the wire for err: local errors map to the Kafka code a
 * client would expect (parse errors -> CORRUPT_MESSAGE, I/O ->
 * KAFKA_STORAGE_ERROR, ...), wire codes map to themselves. */
sm_err_t sm_err_to_wire(sm_err_t err);

#endif
