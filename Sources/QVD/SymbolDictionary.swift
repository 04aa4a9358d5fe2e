#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a field's symbols while it is written, so each distinct value is
/// stored once. Open addressing with linear probing, one slot read per
/// lookup in the common case: plain integers and doubles are keyed by their
/// bits in the slot itself; texts and duals by a hash of their encoded bytes,
/// compared against the symbol table being written. (Swift's Dictionary
/// hashed every key with SipHash and retained every String key: on a
/// 10-million-row write that was most of the time.)
struct SymbolDictionary {
    /// An open-addressing table of number keys (their bits) to symbol indices.
    private struct NumberTable {
        struct Slot: SlotProtocol {
            var bits: UInt64 = 0
            /// The symbol index + 1; 0 marks an empty slot.
            var symbol: UInt32 = 0
        }

        var slots = [Slot](repeating: Slot(), count: 16)
        var used = 0

        /// The symbol of `key`, or the empty slot where it belongs.
        @inline(__always)
        func find(_ key: UInt64) -> (symbol: Int32?, slot: Int) {
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: SymbolDictionary.mix(key)) & mask
            while slots[slot].symbol != 0 {
                if slots[slot].bits == key { return (Int32(slots[slot].symbol - 1), slot) }
                slot = (slot + 1) & mask
            }
            return (nil, slot)
        }

        mutating func insert(_ key: UInt64, symbol: Int, at slot: Int) {
            slots[slot] = Slot(bits: key, symbol: UInt32(symbol + 1))
            used += 1
            if used * 4 > slots.count * 3 { SymbolDictionary.grow(&slots) { SymbolDictionary.mix($0.bits) } }
        }
    }

    /// A slot for a byte key: 32 bits of its hash, the symbol index + 1, and where its bytes start.
    private struct BytesSlot: SlotProtocol {
        var tag: UInt32 = 0
        var symbol: UInt32 = 0
        var start: Int = 0
    }

    private var integers = NumberTable()
    private var doubles = NumberTable()
    private var others = [BytesSlot](repeating: BytesSlot(), count: 16)
    private var otherCount = 0
    private(set) var count = 0

    /// Whether lookups compare against symbol bytes already written (texts
    /// and duals found by hash): until then the bytes may leave memory.
    var readsStoredBytes: Bool { otherCount > 0 }

    /// Integer keys close together (ids, codes, small counts) map straight
    /// to their symbol through an array indexed by value - `denseLow`: no
    /// hashing, and sequential keys touch memory sequentially. Keys too far
    /// apart for that move everything to the hash table for good.
    private var dense: [UInt32] = []
    private var denseLow: Int64 = 0
    private var denseActive = true

    /// The symbol for an int32 (type 1), adding its encoding to `bytes` when new.
    @inline(__always)
    mutating func integer(_ value: Int32, in bytes: inout [UInt8]) -> (index: Int32, isNew: Bool) {
        if denseActive {
            if dense.isEmpty { denseLow = max(Int64(Int32.min), Int64(value) - 1024) }
            let offset = Int64(value) - denseLow
            if offset >= 0 && offset < Int64(dense.count), dense[Int(offset)] != 0 {
                return (Int32(dense[Int(offset)] - 1), false)
            }
            // Room for it while the array stays at least 1/8 full (or small).
            if offset >= 0 && offset < max(1 << 16, Int64(integers.used + 1) * 8) {
                if offset >= Int64(dense.count) {
                    dense.append(contentsOf: repeatElement(0, count: max(Int(offset) + 1, dense.count * 2) - dense.count))
                }
                let symbol = newSymbol(type: 1, UInt64(UInt32(bitPattern: value)), size: 4, in: &bytes)
                dense[Int(offset)] = UInt32(symbol + 1)
                integers.used += 1
                return (Int32(symbol), true)
            }
            leaveDenseMode()
        }
        let key = UInt64(UInt32(bitPattern: value))
        let (found, slot) = integers.find(key)
        if let found { return (found, false) }
        let symbol = newSymbol(type: 1, key, size: 4, in: &bytes)
        integers.insert(key, symbol: symbol, at: slot)
        return (Int32(symbol), true)
    }

    /// The symbol for a float64 (type 2), keyed by its bit pattern.
    @inline(__always)
    mutating func double(_ bits: UInt64, in bytes: inout [UInt8]) -> (index: Int32, isNew: Bool) {
        let (found, slot) = doubles.find(bits)
        if let found { return (found, false) }
        let symbol = newSymbol(type: 2, bits, size: 8, in: &bytes)
        doubles.insert(bits, symbol: symbol, at: slot)
        return (Int32(symbol), true)
    }

    /// Moves the dense integers into the hash table, for keys too spread out.
    private mutating func leaveDenseMode() {
        denseActive = false
        let entries = dense
        dense = []
        integers.used = 0
        for (offset, symbol) in entries.enumerated() where symbol != 0 {
            let key = UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: denseLow + Int64(offset))))
            integers.insert(key, symbol: Int(symbol - 1), at: integers.find(key).slot)
        }
    }

    /// A symbol the caller knows is new (it numbers its values itself): stored, not remembered.
    mutating func unique(type: UInt8, _ payload: UInt64, size: Int, in bytes: inout [UInt8]) -> (index: Int32, isNew: Bool) {
        (Int32(newSymbol(type: type, payload, size: size, in: &bytes)), true)
    }

    /// An encoded text or dual the caller knows is new: stored, not remembered.
    mutating func uniqueEncoded(_ encoded: UnsafeRawBufferPointer, in bytes: inout [UInt8]) -> (index: Int32, isNew: Bool) {
        bytes.append(contentsOf: encoded)
        count += 1
        return (Int32(count - 1), true)
    }

    private mutating func newSymbol(type: UInt8, _ payload: UInt64, size: Int, in bytes: inout [UInt8]) -> Int {
        bytes.append(type)
        var little = payload.littleEndian
        withUnsafeBytes(of: &little) { bytes.append(contentsOf: $0.prefix(size)) }
        count += 1
        return count - 1
    }

    /// The symbol whose encoding is `encoded` (texts and duals), added at
    /// `bytes`'s end when new. Symbols are self-delimiting (fixed sizes, or
    /// text ended by its only NUL), so equal leading bytes mean equal symbols.
    mutating func encoded(_ encoded: UnsafeRawBufferPointer, in bytes: inout [UInt8]) -> (index: Int32, isNew: Bool) {
        let hash = Self.hash(encoded)
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        let mask = others.count - 1
        var slot = Int(truncatingIfNeeded: Self.mix(UInt64(tag))) & mask
        while others[slot].symbol != 0 {
            if others[slot].tag == tag {
                let start = others[slot].start
                let matches = bytes.withUnsafeBytes { stored -> Bool in
                    guard start + encoded.count <= stored.count, let storedBase = stored.baseAddress, let encodedBase = encoded.baseAddress else {
                        return false
                    }
                    return memcmp(storedBase + start, encodedBase, encoded.count) == 0
                }
                if matches { return (Int32(others[slot].symbol - 1), false) }
            }
            slot = (slot + 1) & mask
        }
        let symbol = count
        count += 1
        others[slot] = BytesSlot(tag: tag, symbol: UInt32(symbol + 1), start: bytes.count)
        bytes.append(contentsOf: encoded)
        otherCount += 1
        if otherCount * 4 > others.count * 3 { Self.grow(&others) { Self.mix(UInt64($0.tag)) } }
        return (Int32(symbol), true)
    }

    /// Doubles the table; `position` recomputes a slot's home from what it stores.
    fileprivate static func grow<Slot>(_ table: inout [Slot], position: (Slot) -> UInt64) where Slot: SlotProtocol {
        let old = table
        table = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = table.count - 1
        for entry in old where entry.symbol != 0 {
            var slot = Int(truncatingIfNeeded: position(entry)) & mask
            while table[slot].symbol != 0 { slot = (slot + 1) & mask }
            table[slot] = entry
        }
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
        return mix((h ^ tail) &* 0x9E37_79B9_7F4A_7C15)
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }
}

protocol SlotProtocol {
    init()
    var symbol: UInt32 { get }
}
