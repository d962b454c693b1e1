@testable import GettingStartedExamples
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
}
