/// What the traced consumer does when a handler throws. The default retries three times, then stops the consumer:
/// a failing message is never skipped silently.
///
/// ```swift
/// // Retry with backoff, then park the message on a dead-letter topic and move on:
/// configuration.errorPolicy = .retry(attempts: 5, backoff: .exponential(initial: .milliseconds(200), maximum: .seconds(10)),
///                                    then: .deadLetter(topic: "orders.dlq"))
/// ```
public indirect enum KafkaErrorPolicy: Sendable, Hashable {
    /// Stop the consumer and throw ``KafkaHandlerError`` from `run`; the message is not committed, so it is read again
    /// on the next start.
    case stop
    /// Commit the message and go on. Each skip is logged at error level and counted.
    case skip
    /// Produce the message to `topic` (original key, value and headers, plus `x-error-type`, `x-error-message`,
    /// `x-original-topic`, `x-original-partition`, `x-original-offset`, `x-attempts`), wait for the broker, then commit
    /// it. If the dead-letter send fails, the consumer stops instead: nothing is lost.
    case deadLetter(topic: String)
    /// Run the handler again, up to `attempts` times in all, waiting `backoff` between attempts; then apply `then`.
    case retry(attempts: Int, backoff: KafkaRetryBackoff = .default, then: KafkaErrorPolicy)

    /// Three attempts with exponential backoff, then stop.
    public static let `default` = KafkaErrorPolicy.retry(attempts: 3, backoff: .default, then: .stop)
}

/// How long to wait between attempts.
public struct KafkaRetryBackoff: Sendable, Hashable {
    /// The wait before the second attempt.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration
    /// The factor between consecutive waits.
    public var multiplier: Double

    /// Waits of `initial`, then `initial * multiplier`, ..., capped at `maximum`.
    ///
    /// - Parameters:
    ///   - initial: the first wait.
    ///   - maximum: the longest wait.
    ///   - multiplier: how much each wait grows.
    /// - Returns: the backoff.
    public static func exponential(initial: Duration, maximum: Duration, multiplier: Double = 2) -> KafkaRetryBackoff {
        KafkaRetryBackoff(initial: initial, maximum: maximum, multiplier: multiplier)
    }

    /// The same wait every time.
    ///
    /// - Parameter wait: the wait between attempts.
    /// - Returns: the backoff.
    public static func constant(_ wait: Duration) -> KafkaRetryBackoff {
        KafkaRetryBackoff(initial: wait, maximum: wait, multiplier: 1)
    }

    /// 100 ms, doubling up to 5 s.
    public static let `default` = KafkaRetryBackoff.exponential(initial: .milliseconds(100), maximum: .seconds(5))

    /// The wait after failed attempt number `attempt` (1-based).
    ///
    /// - Parameter attempt: the attempt that failed, from 1.
    /// - Returns: how long to wait before the next attempt.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, attempt) {
            delay = delay * multiplier
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
