import HighlightSynchronization
import Synchronization

/// Decides when a reported error sends what is queued at once instead of waiting for the batch timer: at most once
/// per `interval`, so that a storm of errors makes at most one export request per interval, not one per error.
/// An error inside the interval goes with the next batch (at most ``Highlight/Options/exportBatchDelay`` later).
final class PromptExportGate: Sendable {
    let interval: Duration
    private let lastExport = Locked<ContinuousClock.Instant?>(nil)

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether an error reported at `now` should trigger an export; when it does, the interval starts again.
    func shouldExport(at now: ContinuousClock.Instant = .now) -> Bool {
        lastExport.withLock { last in
            if let last, now - last < interval { return false }
            last = now
            return true
        }
    }
}
