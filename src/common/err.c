/*
 * err.c: names and descriptions for sm_err_t, and the local->wire mapping.
 *
 * Owns no state except a thread-local scratch buffer used to name codes that
 * errors.def does not list (e.g. a newer Kafka code read from a response).
 * Thread-safe.  To add a code, edit errors.def only.
 */
#include <stdio.h>

#include "common/sm_err.h"

const char *
sm_err_name(sm_err_t err)
{
    static __thread char unknown[32];

    switch (err) {
#define SM_ERR_DEF(name, code, desc) case SM_ERR_##name: return #name;
#include "common/errors.def"
#undef SM_ERR_DEF
    default:
        break;
    }
    snprintf(unknown, sizeof(unknown), "ERR_%d", (int)err);
    return unknown;
}

const char *
sm_err_desc(sm_err_t err)
{
    switch (err) {
#define SM_ERR_DEF(name, code, desc) case SM_ERR_##name: return desc;
#include "common/errors.def"
#undef SM_ERR_DEF
    default:
        return "unknown error code";
    }
}

sm_err_t
sm_err_to_wire(sm_err_t err)
{
    if (!sm_err_is_local(err))
        return err;
    switch (err) {
    case SM_ERR__TRUNCATED:
    case SM_ERR__BAD_MSG:
    case SM_ERR__CRC:
    case SM_ERR__NEGATIVE_LENGTH:
    case SM_ERR__VARINT:
    case SM_ERR__COMPRESSION:
        return SM_ERR_CORRUPT_MESSAGE;
    case SM_ERR__TOO_LARGE:
        return SM_ERR_MESSAGE_TOO_LARGE;
    case SM_ERR__UNSUPPORTED_CODEC:
        return SM_ERR_UNSUPPORTED_COMPRESSION_TYPE;
    case SM_ERR__IO:
    case SM_ERR__NOSPC:
        return SM_ERR_KAFKA_STORAGE_ERROR;
    case SM_ERR__NOENT:
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    case SM_ERR__TIMED_OUT:
        return SM_ERR_REQUEST_TIMED_OUT;
    case SM_ERR__INVALID_ARG:
        return SM_ERR_INVALID_REQUEST;
    case SM_ERR__CONFIG:
        return SM_ERR_INVALID_CONFIG;
    default:
        return SM_ERR_UNKNOWN_SERVER_ERROR;
    }
}
