import CRDKafka
import Foundation

/// Header names seen in the messages copied so far, reused for every later header of the same name: messages of a
/// topic carry the same few names, and a name longer than 15 bytes (`x-highlight-request`, `content-type-version`)
/// is otherwise an allocation per header of every message.
///
/// Keeps at most ``capacity`` names; past that, a new name replaces the oldest kept one (a stream of ever-new names
/// costs one comparison per kept name, then the allocation it would have cost anyway).
struct RDKafkaHeaderNames {
    static let capacity = 16
    private var names: [String] = []
    private var oldest = 0

    /// The name of a header: a kept `String` when one has the same bytes, else a new one (then kept).
    mutating func name(_ cString: UnsafePointer<CChar>) -> String {
        let length = strlen(cString)
        for index in names.indices {
            let found = names[index].utf8.withContiguousStorageIfAvailable { kept in
                kept.count == length && (length == 0 || memcmp(kept.baseAddress!, cString, length) == 0)
            }
            if found == true { return names[index] }
        }
        let name = String(cString: cString)
        if names.count < Self.capacity {
            names.append(name)
        } else {
            names[oldest] = name
            oldest = (oldest + 1) % Self.capacity
        }
        return name
    }
}
