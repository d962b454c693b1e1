import CRDKafka

/// Conversions between ``KafkaHeader`` arrays and `rd_kafka_headers_t`.
enum RDKafkaHeaders {
    /// A new header list holding copies of `headers`; `nil` when there are none. The caller owns it.
    static func make(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers { add(header, to: list) }
        return list
    }

    /// A new header list holding what `writer` writes, then the copies of those `headers` whose names it did not
    /// write (compared ignoring ASCII case); `nil` when that is nothing. The caller owns it.
    static func make<Writer: KafkaHeaderWriter>(_ headers: [KafkaHeader], writer: Writer) -> OpaquePointer? {
        if Writer.writesNothing { return make(headers) }
        guard let list = rd_kafka_headers_new(headers.count + 4) else { return nil }
        var written = KafkaHeaderList(handle: list, notesNames: !headers.isEmpty)
        writer.writeHeaders(into: &written)
        for header in headers where !written.names.contains(where: { $0.equalsIgnoringASCIICase(header.name) }) {
            add(header, to: list)
        }
        if rd_kafka_header_cnt(list) == 0 {
            rd_kafka_headers_destroy(list)
            return nil
        }
        return list
    }

    private static func add(_ header: KafkaHeader, to list: OpaquePointer) {
        header.withValueBytes { add(header.name, value: $0.map(UnsafeRawBufferPointer.init), to: list) }
    }

    /// Appends one header to `list`; a `nil` value is a header without a value, and an empty one keeps a non-null
    /// pointer so that "empty" stays distinct from "no value".
    static func add(_ name: String, value: UnsafeRawBufferPointer?, to list: OpaquePointer) {
        // The name's UTF-8 where it is: `withUTF8` needs a `var`, and the copy retained the string (a header's name is
        // this package's constant, written for every message).
        let added: Void? = name.utf8.withContiguousStorageIfAvailable { add(name: $0, value: value, to: list) }
        if added == nil {
            var name = name
            name.withUTF8 { add(name: $0, value: value, to: list) }
        }
    }

    private static func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeRawBufferPointer?, to list: OpaquePointer) {
        if let value {
            _ = rd_kafka_header_add(list, cName(name), name.count, value.baseAddress ?? UnsafeRawPointer(emptyValue), value.count)
        } else {
            _ = rd_kafka_header_add(list, cName(name), name.count, nil, 0)
        }
    }

    /// The name goes by pointer and length: passed as a C string, a name of up to 15 bytes (Swift keeps those inline,
    /// without a buffer to point at) was copied into a new array first, an allocation per header.
    private static func cName(_ name: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar> {
        (name.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyValue)).assumingMemoryBound(to: CChar.self)
    }

    /// Copies the headers of a consumed message, in order; their names come from `names` when seen before. Every
    /// value goes into one buffer that the headers share: an allocation per message, not one per header.
    static func read(_ message: UnsafePointer<rd_kafka_message_t>, names: inout RDKafkaHeaderNames) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        let count = rd_kafka_header_cnt(list)
        // Three passes over the list librdkafka parsed: the values' total size, the values, the headers. Each pass has
        // a cursor of its own: locals captured by a local function are checked for exclusive access at run time on
        // every access (3% of a traced consumer's profile), a cursor's own fields are not.
        var sizing = HeaderCursor(list: list)
        var sized = 0
        for index in 0..<count where sizing.load(index) && sizing.value != nil { sized += sizing.size }
        let total = sized
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, written in
            written = 0
            var copying = HeaderCursor(list: list)
            for index in 0..<count where copying.load(index) {
                guard let value = copying.value, copying.size > 0, written + copying.size <= total else { continue }
                UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + written, count: copying.size)
                    .copyMemory(from: UnsafeRawBufferPointer(start: value, count: copying.size))
                written += copying.size
            }
        }
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(count)
        var offset = 0
        var naming = HeaderCursor(list: list)
        for index in 0..<count where naming.load(index) {
            let headerName = naming.name.map { names.name($0) } ?? ""
            if naming.value != nil, offset + naming.size <= bytes.count {
                headers.append(KafkaHeader(name: headerName, bytes: bytes, range: offset..<offset + naming.size))
                offset += naming.size
            } else {
                headers.append(KafkaHeader(name: headerName, value: nil))
            }
        }
        return headers
    }

    /// One header of a list at a time, as librdkafka gives it: valid until the list changes.
    private struct HeaderCursor {
        let list: OpaquePointer
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0

        init(list: OpaquePointer) {
            self.list = list
        }

        /// Reads the header at `index`; `false` past the last.
        mutating func load(_ index: Int) -> Bool {
            rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR
        }
    }
}

/// One byte that outlives every produce call: librdkafka is given this address for empty (non-null) values.
nonisolated(unsafe) let emptyValue = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

extension String {
    /// Decodes a NUL-terminated C buffer filled in by librdkafka (an error text).
    init(nulTerminated buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
