/*
 * apis.c: the served-API table built from apis.def, Kafka's names and
 * first-flexible versions for every ApiKey up to 60, and the request and
 * response header codecs (layouts in apis.h).
 *
 * Read-only after compile time; thread-safe.
 */
#include <stddef.h>

#include "protocol/apis.h"

static const sm_api_info_t sm_apis[] = {
#define SM_API(key, name, min, max, flex) { key, #name, min, max, flex },
#include "protocol/apis.def"
#undef SM_API
};

#define SM_NAPIS ((int)(sizeof(sm_apis) / sizeof(sm_apis[0])))

/* Kafka's ApiKey names and first flexible versions (2.8 JSON specs);
 * -1 = never flexible. */
static const struct {
    const char *name;
    int16_t flex;
} sm_api_all[] = {
    [0]  = { "Produce", 9 },            [1]  = { "Fetch", 12 },
    [2]  = { "ListOffsets", 6 },        [3]  = { "Metadata", 9 },
    [4]  = { "LeaderAndIsr", 4 },       [5]  = { "StopReplica", 2 },
    [6]  = { "UpdateMetadata", 6 },     [7]  = { "ControlledShutdown", 3 },
    [8]  = { "OffsetCommit", 8 },       [9]  = { "OffsetFetch", 6 },
    [10] = { "FindCoordinator", 3 },    [11] = { "JoinGroup", 6 },
    [12] = { "Heartbeat", 4 },          [13] = { "LeaveGroup", 4 },
    [14] = { "SyncGroup", 4 },          [15] = { "DescribeGroups", 5 },
    [16] = { "ListGroups", 3 },         [17] = { "SaslHandshake", -1 },
    [18] = { "ApiVersions", 3 },        [19] = { "CreateTopics", 5 },
    [20] = { "DeleteTopics", 4 },       [21] = { "DeleteRecords", 2 },
    [22] = { "InitProducerId", 2 },     [23] = { "OffsetForLeaderEpoch", 4 },
    [24] = { "AddPartitionsToTxn", 3 }, [25] = { "AddOffsetsToTxn", 3 },
    [26] = { "EndTxn", 3 },             [27] = { "WriteTxnMarkers", 1 },
    [28] = { "TxnOffsetCommit", 3 },    [29] = { "DescribeAcls", 2 },
    [30] = { "CreateAcls", 2 },         [31] = { "DeleteAcls", 2 },
    [32] = { "DescribeConfigs", 4 },    [33] = { "AlterConfigs", 2 },
    [34] = { "AlterReplicaLogDirs", 2 },[35] = { "DescribeLogDirs", 2 },
    [36] = { "SaslAuthenticate", 2 },   [37] = { "CreatePartitions", 2 },
    [38] = { "CreateDelegationToken", 2 }, [39] = { "RenewDelegationToken", 2 },
    [40] = { "ExpireDelegationToken", 2 }, [41] = { "DescribeDelegationToken", 2 },
    [42] = { "DeleteGroups", 2 },       [43] = { "ElectLeaders", 2 },
    [44] = { "IncrementalAlterConfigs", 1 },
    [45] = { "AlterPartitionReassignments", 0 },
    [46] = { "ListPartitionReassignments", 0 },
    [47] = { "OffsetDelete", -1 },      [48] = { "DescribeClientQuotas", 1 },
    [49] = { "AlterClientQuotas", 1 },  [50] = { "DescribeUserScramCredentials", 0 },
    [51] = { "AlterUserScramCredentials", 0 }, [52] = { "Vote", 0 },
    [53] = { "BeginQuorumEpoch", -1 },  [54] = { "EndQuorumEpoch", -1 },
    [55] = { "DescribeQuorum", 0 },     [56] = { "AlterIsr", 0 },
    [57] = { "UpdateFeatures", 0 },     [58] = { "Envelope", 0 },
    [59] = { "FetchSnapshot", 0 },      [60] = { "DescribeCluster", 0 },
};

#define SM_NALL ((int)(sizeof(sm_api_all) / sizeof(sm_api_all[0])))

const sm_api_info_t *
sm_api_info(int16_t key)
{
    for (int i = 0; i < SM_NAPIS; i++)
        if (sm_apis[i].key == key)
            return &sm_apis[i];
    return NULL;
}

const sm_api_info_t *
sm_api_table(int *np)
{
    *np = SM_NAPIS;
    return sm_apis;
}

const char *
sm_api_name(int16_t key)
{
    if (key >= 0 && key < SM_NALL && sm_api_all[key].name)
        return sm_api_all[key].name;
    return "Unknown";
}

int
sm_api_is_flexible(int16_t key, int16_t version)
{
    const sm_api_info_t *api = sm_api_info(key);

    if (api)
        return version >= api->flex_version;
    if (key >= 0 && key < SM_NALL && sm_api_all[key].name &&
        sm_api_all[key].flex >= 0)
        return version >= sm_api_all[key].flex;
    return 0;
}

int
sm_api_req_hdr_version(int16_t key, int16_t version)
{
    if (key == SM_API_ControlledShutdown && version == 0)
        return 0;
    return sm_api_is_flexible(key, version) ? 2 : 1;
}

int
sm_api_resp_hdr_version(int16_t key, int16_t version)
{
    if (key == SM_API_ApiVersions)
        return 0;
    return sm_api_is_flexible(key, version) ? 1 : 0;
}

sm_err_t
sm_req_hdr_read(sm_rd_t *rd, sm_req_hdr_t *hdr)
{
    hdr->ApiKey = sm_rd_i16(rd);
    hdr->ApiVersion = sm_rd_i16(rd);
    hdr->CorrelationId = sm_rd_i32(rd);
    hdr->ClientId = SM_STR_NULL;
    hdr->hdr_version = sm_api_req_hdr_version(hdr->ApiKey, hdr->ApiVersion);
    if (hdr->hdr_version >= 1)
        hdr->ClientId = sm_rd_nstr(rd, 0);
    if (hdr->hdr_version >= 2)
        sm_rd_tags(rd);
    return rd->err;
}

void
sm_req_hdr_write(sm_buf_t *buf, int16_t key, int16_t version, int32_t corrid,
                 const char *client_id)
{
    int hv = sm_api_req_hdr_version(key, version);

    sm_wr_i16(buf, key);
    sm_wr_i16(buf, version);
    sm_wr_i32(buf, corrid);
    if (hv >= 1)
        sm_wr_cstr(buf, client_id, 0);
    if (hv >= 2)
        sm_wr_tags_empty(buf);
}

size_t
sm_resp_hdr_write(sm_buf_t *buf, int16_t key, int16_t version, int32_t corrid)
{
    size_t off = sm_wr_i32(buf, corrid);

    if (sm_api_resp_hdr_version(key, version) >= 1)
        sm_wr_tags_empty(buf);
    return off;
}

sm_err_t
sm_resp_hdr_read(sm_rd_t *rd, int16_t key, int16_t version, int32_t *corrid)
{
    *corrid = sm_rd_i32(rd);
    if (sm_api_resp_hdr_version(key, version) >= 1)
        sm_rd_tags(rd);
    return rd->err;
}
