/*
 * client_err.c: error names and messages for client callers - samsa's
 * names (errors.def) and Kafka's default exception messages.
 *
 * Kafka's clients raise, for an error code without an ErrorMessage from
 * the broker, the exception of that code with a fixed text (Kafka 2.8's
 * org.apache.kafka.common.protocol.Errors).  Tools print that text
 * ("Error while executing topic command : Topic with this name already
 * exists."), so the table below repeats it for the codes errors.def
 * knows.  Codes it lacks fall back to samsa's descriptions.
 *
 * Threads: pure lookups, any thread.
 */
#include <stddef.h>

#include "client/client.h"

static const struct {
    int         code;
    const char *msg;
} sm_client_msgs[] = {
    { -1, "The server experienced an unexpected error when processing the "
      "request." },
    { 1, "The requested offset is not within the range of offsets maintained "
      "by the server." },
    { 2, "This message has failed its CRC checksum, exceeds the valid size, "
      "has a null key for a compacted topic, or is otherwise corrupt." },
    { 3, "This server does not host this topic-partition." },
    { 4, "The requested fetch size is invalid." },
    { 5, "There is no leader for this topic-partition as we are in the "
      "middle of a leadership election." },
    { 6, "For requests intended only for the leader, this error indicates "
      "that the broker is not the current leader. For requests intended "
      "for any replica, this error indicates that the broker is not a "
      "replica of the topic partition." },
    { 7, "The request timed out." },
    { 8, "The broker is not available." },
    { 9, "The replica is not available for the requested topic-partition. "
      "Produce/Fetch requests and other requests intended only for the "
      "leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is "
      "not a replica of the topic-partition." },
    { 10, "The request included a message larger than the max message size "
      "the server will accept." },
    { 11, "The controller moved to another broker." },
    { 12, "The metadata field of the offset request was too large." },
    { 13, "The server disconnected before a response was received." },
    { 14, "The coordinator is loading and hence can't process requests." },
    { 15, "The coordinator is not available." },
    { 16, "This is not the correct coordinator." },
    { 17, "The request attempted to perform an operation on an invalid "
      "topic." },
    { 18, "The request included message batch larger than the configured "
      "segment size on the server." },
    { 19, "Messages are rejected since there are fewer in-sync replicas than "
      "required." },
    { 20, "Messages are written to the log, but to fewer in-sync replicas "
      "than required." },
    { 21, "Produce request specified an invalid value for required acks." },
    { 22, "Specified group generation id is not valid." },
    { 23, "The group member's supported protocols are incompatible with those "
      "of existing members or first group member tried to join with empty "
      "protocol type or empty protocol list." },
    { 24, "The configured groupId is invalid." },
    { 25, "The coordinator is not aware of this member." },
    { 26, "The session timeout is not within the range allowed by the broker "
      "(as configured by group.min.session.timeout.ms and "
      "group.max.session.timeout.ms)." },
    { 27, "The group is rebalancing, so a rejoin is needed." },
    { 28, "The committing offset data size is not valid." },
    { 29, "Topic authorization failed." },
    { 30, "Group authorization failed." },
    { 31, "Cluster authorization failed." },
    { 32, "The timestamp of the message is out of acceptable range." },
    { 33, "The broker does not support the requested SASL mechanism." },
    { 34, "Request is not valid given the current SASL state." },
    { 35, "The version of API is not supported." },
    { 36, "Topic with this name already exists." },
    { 37, "Number of partitions is below 1." },
    { 38, "Replication factor is below 1 or larger than the number of "
      "available brokers." },
    { 39, "Replica assignment is invalid." },
    { 40, "Configuration is invalid." },
    { 41, "This is not the correct controller for this cluster." },
    { 42, "This most likely occurs because of a request being malformed by "
      "the client library or the message was sent to an incompatible "
      "broker. See the broker logs for more details." },
    { 43, "The message format version on the broker does not support the "
      "request." },
    { 44, "Request parameters do not satisfy the configured policy." },
    { 45, "The broker received an out of order sequence number." },
    { 46, "The broker received a duplicate sequence number." },
    { 47, "Producer attempted to produce with an old epoch." },
    { 48, "The producer attempted a transactional operation in an invalid "
      "state." },
    { 49, "The producer attempted to use a producer id which is not currently "
      "assigned to its transactional id." },
    { 50, "The transaction timeout is larger than the maximum value allowed "
      "by the broker (as configured by transaction.max.timeout.ms)." },
    { 51, "The producer attempted to update a transaction while another "
      "concurrent operation on the same transaction was ongoing." },
    { 52, "Indicates that the transaction coordinator sending a "
      "WriteTxnMarker is no longer the current coordinator for a given "
      "producer." },
    { 53, "Transactional Id authorization failed." },
    { 54, "Security features are disabled." },
    { 55, "The broker did not attempt to execute this operation. This may "
      "happen for batched RPCs where some operations in the batch failed, "
      "causing the broker to respond without trying the rest." },
    { 56, "Disk error when trying to access log file on the disk." },
    { 57, "The user-specified log directory is not found in the broker "
      "config." },
    { 58, "SASL Authentication failed." },
    { 59, "This exception is raised by the broker if it could not locate the "
      "producer metadata associated with the producerId in question. This "
      "could happen if, for instance, the producer's records were deleted "
      "because their retention time had elapsed. Once the last records of "
      "the producerId are removed, the producer's metadata is removed "
      "from the broker, and future appends by the producer will return "
      "this exception." },
    { 60, "A partition reassignment is in progress." },
    { 61, "Delegation Token feature is not enabled." },
    { 62, "Delegation Token is not found on server." },
    { 63, "Specified Principal is not valid Owner/Renewer." },
    { 64, "Delegation Token requests are not allowed on PLAINTEXT/1-way SSL "
      "channels and on delegation token authenticated channels." },
    { 65, "Delegation Token authorization failed." },
    { 66, "Delegation Token is expired." },
    { 67, "Supplied principalType is not supported." },
    { 68, "The group is not empty." },
    { 69, "The group id does not exist." },
    { 70, "The fetch session ID was not found." },
    { 71, "The fetch session epoch is invalid." },
    { 72, "There is no listener on the leader broker that matches the "
      "listener on which metadata request was processed." },
    { 73, "Topic deletion is disabled." },
    { 74, "The leader epoch in the request is older than the epoch on the "
      "broker." },
    { 75, "The leader epoch in the request is newer than the epoch on the "
      "broker." },
    { 76, "The requesting client does not support the compression type of "
      "given partition." },
    { 77, "Broker epoch has changed." },
    { 78, "The leader high watermark has not caught up from a recent leader "
      "election so the offsets cannot be guaranteed to be monotonically "
      "increasing." },
    { 79, "The group member needs to have a valid member id before actually "
      "entering a consumer group." },
    { 80, "The preferred leader was not available." },
    { 81, "The consumer group has reached its max size." },
    { 82, "The broker rejected this static consumer since another consumer "
      "with the same group.instance.id has registered with a different "
      "member.id." },
    { 83, "Eligible topic partition leaders are not available." },
    { 84, "Leader election not needed for topic partition." },
    { 85, "No partition reassignment is in progress." },
    { 86, "Deleting offsets of a topic is forbidden while the consumer group "
      "is actively subscribed to it." },
    { 87, "This record has failed the validation on broker and hence will be "
      "rejected." },
    { 88, "There are unstable offsets that need to be cleared." },
};

const char *
sm_client_kafka_message(sm_err_t err)
{
    for (size_t i = 0; i < sizeof(sm_client_msgs) / sizeof(sm_client_msgs[0]);
         i++)
        if (sm_client_msgs[i].code == (int)err)
            return sm_client_msgs[i].msg;
    return NULL;
}

const char *
samsa_err_name(samsa_err_t err)
{
    return sm_err_name((sm_err_t)err);
}

const char *
samsa_err_message(samsa_err_t err)
{
    const char *m = sm_client_kafka_message((sm_err_t)err);

    return m != NULL ? m : sm_err_desc((sm_err_t)err);
}
