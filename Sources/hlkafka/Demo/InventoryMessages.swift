import SwiftProtobuf

// The demo's inventory messages, written by hand with swift-protobuf's runtime (no protoc at build time):
//
//     package demo;
//     message ReserveRequest { string item = 1; string order_id = 2; }
//     message ReserveReply { bool reserved = 1; }
//     service Inventory { rpc Reserve(ReserveRequest) returns (ReserveReply); }

/// `demo.ReserveRequest`.
struct ReserveRequest: SwiftProtobuf.Message, Equatable, Sendable {
    static let protoMessageName = "demo.ReserveRequest"
    var item = ""
    var orderID = ""
    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    init(item: String, orderID: String) {
        self.item = item
        self.orderID = orderID
    }

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 1: try decoder.decodeSingularStringField(value: &item)
            case 2: try decoder.decodeSingularStringField(value: &orderID)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !item.isEmpty { try visitor.visitSingularStringField(value: item, fieldNumber: 1) }
        if !orderID.isEmpty { try visitor.visitSingularStringField(value: orderID, fieldNumber: 2) }
        try unknownFields.traverse(visitor: &visitor)
    }

    func isEqualTo(message: any SwiftProtobuf.Message) -> Bool {
        (message as? Self) == self
    }
}

/// `demo.ReserveReply`.
struct ReserveReply: SwiftProtobuf.Message, Equatable, Sendable {
    static let protoMessageName = "demo.ReserveReply"
    var reserved = false
    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    init(reserved: Bool) {
        self.reserved = reserved
    }

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            if field == 1 { try decoder.decodeSingularBoolField(value: &reserved) }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if reserved { try visitor.visitSingularBoolField(value: reserved, fieldNumber: 1) }
        try unknownFields.traverse(visitor: &visitor)
    }

    func isEqualTo(message: any SwiftProtobuf.Message) -> Bool {
        (message as? Self) == self
    }
}
