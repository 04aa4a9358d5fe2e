#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a field's symbols by their encoded bytes: an open-addressing hash
/// table over the symbol table being written, so deduplicating a value costs
/// one hash of its bytes and one compare, with no String kept as a key.
/// (Swift's Dictionary hashes every Int and String with SipHash and retains
/// each key; on a 10-million-row write that was most of the time.)
struct SymbolDictionary {
    /// Per slot: the symbol's index + 1 (0 = empty) and 32 bits of its hash.
    private var slots: [UInt64]
    /// Where each symbol starts in the field's symbol bytes.
    private(set) var starts: [Int] = []
    private var mask: Int

    init() {
        slots = [UInt64](repeating: 0, count: 1024)
        mask = 1023
    }

    var count: Int { starts.count }

    /// The index of the symbol whose encoding is `encoded`, adding it (at
    /// `bytes`'s end) when new. Symbols are self-delimiting (fixed sizes, or
    /// text ended by NUL), so equal leading bytes mean equal symbols.
    mutating func index(of encoded: UnsafeRawBufferPointer, in bytes: inout [UInt8]) -> (index: Int32, isNew: Bool) {
        let hash = Self.hash(encoded)
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let symbol = Int(entry & 0xFFFF_FFFF) - 1
                let start = starts[symbol]
                let matches = bytes.withUnsafeBytes { stored -> Bool in
                    guard start + encoded.count <= stored.count, let storedBase = stored.baseAddress, let encodedBase = encoded.baseAddress else {
                        return false
                    }
                    return memcmp(storedBase + start, encodedBase, encoded.count) == 0
                }
                if matches { return (Int32(symbol), false) }
            }
            slot = (slot + 1) & mask
        }
        let symbol = starts.count
        starts.append(bytes.count)
        bytes.append(contentsOf: encoded)
        slots[slot] = tag << 32 | UInt64(symbol + 1)
        if starts.count * 4 > slots.count * 3 { grow() }
        return (Int32(symbol), true)
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        // Rehash from the stored tags' low bits is impossible, so positions come from the full hash again.
        for entry in old where entry != 0 {
            var slot = Int(truncatingIfNeeded: Self.rehash(entry)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    /// Slot positions after growth come from the tag (the hash's high half), mixed.
    private static func rehash(_ entry: UInt64) -> UInt64 {
        mix(entry >> 32)
    }

    /// A fast 64-bit hash of a symbol's bytes: 8 bytes at a time, then mixed.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        let high = mix(h)
        // Low half positions the slot; the high half is the tag. After growth
        // the slot comes from mixing the tag, so both must be usable alone.
        return high & 0xFFFF_FFFF_0000_0000 | (mix(high >> 32) & 0xFFFF_FFFF)
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }
}
