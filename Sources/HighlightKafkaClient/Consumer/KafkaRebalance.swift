/// A change of the partitions a group member owns, as seen by ``KafkaConsumer/observeRebalances(_:)``.
public enum KafkaRebalance: Sendable, Hashable {
    /// These partitions were just assigned; their messages follow from the group's committed offsets.
    case assigned([KafkaTopicPartition])
    /// These partitions are being taken away. The observer runs before the offsets stored so far are committed and
    /// before the partitions are released: a message finished now is committed, one started later is not.
    case revoked([KafkaTopicPartition])
    /// The group coordinator refused a commit because the group is rebalancing: a revocation or assignment is
    /// coming. Whatever this member handles from now until then may not get committed before its partitions move.
    case commitRefusedDuringRebalance
}
