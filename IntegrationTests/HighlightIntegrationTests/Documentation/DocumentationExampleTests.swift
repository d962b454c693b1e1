@testable import GettingStartedExamples
import HighlightPropagation
import Instrumentation
import Testing

/// The examples the documentation shows that can run without a service of their own, run: what the articles promise
/// is what they do (on the mock cluster, or the broker in `KAFKA_BOOTSTRAP_SERVERS`).
@Suite("Documentation examples", .timeLimit(.minutes(2)))
struct DocumentationExampleTests {
    /// "Testing your consumer with the mock cluster": the handler sees the session the producer's context carried.
    @Test func theConsumerTestExampleSeesTheSession() async throws {
        #expect(try await sessionSeenByTheHandler() == "a1b2c3")
    }

    /// HighlightKafkaTesting's landing page: a record goes round the mock cluster unchanged.
    @Test func theMockClusterExampleRoundTrips() async throws {
        #expect(try await roundTripOnTheMockCluster() == "{\"item\":\"book\"}")
    }

    /// "Writing a carrier": the session comes in through the custom carrier and goes out through it again.
    @Test func theCustomCarrierExampleCarriesTheSession() async throws {
        let incoming = PairMetadata(pairs: [("X-Highlight-Request", "a1b2c3/req42")])
        let (session, outgoing) = await handle(incoming) {
            (ServiceContext.current?.highlightRequest?.sessionSecureID, outgoingMetadata())
        }
        #expect(session == "a1b2c3")
        #expect(outgoing.pairs.last { $0.0 == "x-highlight-request" }?.1 == "a1b2c3/req42")
    }
}
