import CRDKafka

// librdkafka's codes, names and texts: the code type itself (Model/KafkaErrorCode.swift) knows nothing of the C library.
extension KafkaErrorCode {
    init(_ error: rd_kafka_resp_err_t) { self.rawValue = error.rawValue }

    var rdKafka: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

    /// librdkafka's symbolic name, such as `_MSG_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public var name: String { String(cString: rd_kafka_err2name(rdKafka)) }

    /// librdkafka's human-readable explanation.
    public var message: String { String(cString: rd_kafka_err2str(rdKafka)) }

    /// No error.
    public static let noError = KafkaErrorCode(RD_KAFKA_RESP_ERR_NO_ERROR)
    /// The message could not be delivered within `message.timeout.ms`.
    public static let messageTimedOut = KafkaErrorCode(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
    /// The local producer queue is full.
    public static let queueFull = KafkaErrorCode(RD_KAFKA_RESP_ERR__QUEUE_FULL)
    /// The consumer reached the end of a partition.
    public static let partitionEOF = KafkaErrorCode(RD_KAFKA_RESP_ERR__PARTITION_EOF)
    /// No offset was stored, so there was nothing to commit.
    public static let noOffset = KafkaErrorCode(RD_KAFKA_RESP_ERR__NO_OFFSET)
    /// A local timeout.
    public static let timedOut = KafkaErrorCode(RD_KAFKA_RESP_ERR__TIMED_OUT)
    /// Every broker is down.
    public static let allBrokersDown = KafkaErrorCode(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    /// A message was purged from the queue before delivery (shutdown after the flush timeout).
    public static let purgedFromQueue = KafkaErrorCode(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
    /// A message was purged while in flight.
    public static let purgedInFlight = KafkaErrorCode(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
    /// The operation is invalid in the client's state (closed, or the partition is not assigned).
    public static let state = KafkaErrorCode(RD_KAFKA_RESP_ERR__STATE)
    /// An invalid argument.
    public static let invalidArgument = KafkaErrorCode(RD_KAFKA_RESP_ERR__INVALID_ARG)
    /// A fatal error: the client instance is unusable.
    public static let fatal = KafkaErrorCode(RD_KAFKA_RESP_ERR__FATAL)
    /// The topic or partition does not exist.
    public static let unknownTopicOrPartition = KafkaErrorCode(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    /// The broker is not the leader of the partition.
    public static let notLeaderForPartition = KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
    /// The broker timed out the request.
    public static let requestTimedOut = KafkaErrorCode(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
    /// Not enough in-sync replicas.
    public static let notEnoughReplicas = KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
    /// The group coordinator is loading.
    public static let coordinatorLoadInProgress = KafkaErrorCode(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS)
    /// The broker is not the group coordinator.
    public static let notCoordinator = KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
    /// A rebalance is in progress.
    public static let rebalanceInProgress = KafkaErrorCode(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
    /// The topic is not authorized.
    public static let topicAuthorizationFailed = KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
    /// The consumer group is not authorized.
    public static let groupAuthorizationFailed = KafkaErrorCode(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED)
    /// The message is larger than the broker accepts.
    public static let messageTooLarge = KafkaErrorCode(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    /// The topic already exists (admin).
    public static let topicAlreadyExists = KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)

    /// Codes a retry can get past: the broker or the network will recover by themselves.
    static let retriable: Set<KafkaErrorCode> = [
        .messageTimedOut, .queueFull, .timedOut, .allBrokersDown, .notLeaderForPartition, .requestTimedOut,
        .notEnoughReplicas, .coordinatorLoadInProgress, .notCoordinator, .rebalanceInProgress,
        KafkaErrorCode(RD_KAFKA_RESP_ERR__TRANSPORT), KafkaErrorCode(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE),
        KafkaErrorCode(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION), KafkaErrorCode(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE),
        KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND), KafkaErrorCode(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR),
    ]
}
