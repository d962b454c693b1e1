import GRPCCore
import Tracing

/// The RPC semantic-convention attributes (`rpc.*`) and the gRPC status of a call.
extension Span {
    func setRPCAttributes(_ descriptor: MethodDescriptor, server: GRPCPeer?) {
        updateAttributes { attributes in
            attributes["rpc.system"] = "grpc"
            attributes["rpc.service"] = descriptor.service.fullyQualifiedService
            attributes["rpc.method"] = descriptor.method
            if let server {
                attributes["server.address"] = server.host
                if let port = server.port { attributes["server.port"] = port }
            }
        }
    }

    /// Records a call that ended with `error` (a status other than OK): its status code, the span's error status
    /// and the error itself, once.
    func recordRPCFailure(_ error: any Error) {
        let code = (error as? RPCError)?.code ?? (error as? any RPCErrorConvertible)?.rpcErrorCode ?? .unknown
        attributes["rpc.grpc.status_code"] = code.rawValue
        setStatus(SpanStatus(code: .error, message: "\(code)"))
        recordError(error)
    }

    /// Records a call that ended with status OK.
    func recordRPCSuccess() {
        attributes["rpc.grpc.status_code"] = 0
    }

    /// Ends the span with the call's outcome: status OK, or `error`.
    func endRPC(failure error: (any Error)? = nil) {
        if let error { recordRPCFailure(error) } else { recordRPCSuccess() }
        end()
    }

    /// Runs `call`; when it throws, ends the span with that failure and rethrows.
    func endingOnFailure<Result>(_ call: () async throws -> Result) async throws -> Result {
        do {
            return try await call()
        } catch {
            endRPC(failure: error)
            throw error
        }
    }
}
