import Logging
import ServiceLifecycle
import Synchronization
import HighlightSynchronization

extension KafkaConsumer {
    /// Calls `handler` for each message, one at a time, and commits each message's offset only after the handler
    /// returns (asynchronously every ``KafkaConsumerConfiguration/commitInterval``, synchronously on revocation and
    /// at shutdown). Returns after graceful shutdown or ``shutdown()``, having committed what was processed.
    ///
    /// - Throws: the handler's error, after committing the messages handled before it (the failed message is not
    ///   committed, so it is read again). The consumer is then shut down.
    ///
    /// - Parameter handler: called with each message, in order per partition, one at a time.
    public func run(_ handler: (KafkaConsumerMessage) async throws -> Void) async throws {
        lifecycle.withLock { $0.runningHandlers += 1 }
        var failure: (any Error)?
        await withGracefulShutdownHandler {
            var lastCommit = ContinuousClock.now
            var pendingCommit = false
            for await message in messages {
                do {
                    try await handler(message)
                } catch {
                    failure = error
                    break
                }
                do {
                    try storeOffset(for: message)
                    pendingCommit = true
                } catch {
                    logger.warning("Processed message not committed", metadata: ["error": "\(error)"])
                }
                if pendingCommit && ContinuousClock.now - lastCommit >= configuration.commitInterval {
                    try? commitStoredOffsetsAsync()
                    pendingCommit = false
                    lastCommit = .now
                }
            }
        } onGracefulShutdown: {
            self.stopFetching()
        }
        handlerFinished()
        await shutdown()
        if let failure { throw failure }
    }

    /// Runs until graceful shutdown (or cancellation), then calls ``shutdown()``.
    ///
    /// - Throws: nothing of its own (the `Service` requirement throws); a shutdown error is logged, not thrown.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops fetching, waits for ``run(_:)`` handlers in flight, commits every processed offset, leaves the group and
    /// closes. Messages fetched but not handed out are dropped (never committed: they are read again). Safe to call more
    /// than once; later calls wait for the first to finish.
    public func shutdown() async {
        let first = lifecycle.withLock { state -> Bool in
            defer { state.shutdownStarted = true }
            return !state.shutdownStarted
        }
        guard first else {
            await waitUntilClosed()
            return
        }
        stopFetching()
        await waitForHandlers()
        let client = self.client
        let control = pollThread
        let callbacks = self.callbacks
        // From here this task serves the consumer's queue (rebalances that come during shutdown), not the poll thread.
        await runBlocking { control.waitUntilExited() }
        if configuration.groupID != nil { await commitStoredRetrying(for: .seconds(3)) }
        await runBlocking {
            client.serveQueuedEvents()
            // Leaves the group; serves the final revocation (which commits again if anything is left).
            if let error = client.closeConsumer() { callbacks.report(error) }
        }
        callbacks.events.finish()
        let waiters = lifecycle.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.closedWaiters.removeAll() }
            return state.closedWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Asks the consumer to stop without waiting: fetching stops at once, ``run(_:)`` returns after the handler in
    /// flight (and then shuts down). Safe to call from inside a handler, where awaiting ``shutdown()`` would wait for
    /// the handler itself.
    public func triggerShutdown() {
        stopFetching()
    }

    func stopFetching() {
        pollThread.requestStop()
        buffer.finish(discardingBuffered: true)
    }

    private func handlerFinished() {
        let waiters = lifecycle.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningHandlers -= 1
            guard state.runningHandlers == 0 else { return [] }
            defer { state.handlersIdle.removeAll() }
            return state.handlersIdle
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitForHandlers() async {
        await withCheckedContinuation { continuation in
            let idle = lifecycle.withLock { state -> Bool in
                if state.runningHandlers == 0 { return true }
                state.handlersIdle.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let closed = lifecycle.withLock { state -> Bool in
                if state.closed { return true }
                state.closedWaiters.append(continuation)
                return false
            }
            if closed { continuation.resume() }
        }
    }
}
