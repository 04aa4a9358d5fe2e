import Foundation
import QVD

/// A hypercube in tree mode (qMode "T"): the value combinations of its dimensions as a tree under one root, each
/// level a dimension, each node's children the values its rows hold on the next dimension, in load order.
/// Nodes are numbered per level in tree order (their qRow), which is what a page of a level (NxPageTreeNode) counts.
struct HyperCubeTree {
    /// The cube dimensions the tree spans (NxPageTreeLevel: the first and how many).
    let dimensions: Range<Int>
    /// Each node's child elements by the node's path of elements (the root's path is empty).
    private(set) var children: [[Int32]: [Int32]] = [:]
    /// Per level, its nodes' paths in tree order.
    private(set) var levels: [[[Int32]]] = []

    /// `rows`: each cube row's element number per dimension.
    init(rows: [[Int32]], dimensions: Range<Int>) {
        self.dimensions = dimensions
        var seen = Set<[Int32]>()
        for row in rows {
            let path = Array(row[dimensions])
            for level in path.indices where seen.insert(Array(path[0...level])).inserted {
                children[Array(path[0..<level]), default: []].append(path[level])
            }
        }
        var level: [[Int32]] = [[]]
        for _ in dimensions {
            level = level.flatMap { path in (children[path] ?? []).map { path + [$0] } }
            levels.append(level)
        }
    }

    /// NxHyperCube's qTreeNodesOnDim: how many nodes each level has.
    var nodesOnDimension: [Int] { levels.map(\.count) }

    /// What one node shows: its dimension value (nil for the root), measure values and selection state.
    struct NodeContent {
        let value: QlikValue?
        let measures: [QlikValue]
        let state: String
    }

    /// The tree as NxTreeNode values: one root (qType "R") over the first level. `pages[level]` limits a level to
    /// the nodes whose qRow lies in its rows and their values to its measure columns (all, for a level without a page);
    /// a node left out takes its subtree with it. `content` gives a node's value, measures and state by its path.
    func nodes(pages: [(rows: Range<Int>, measures: Range<Int>)?], measureCount: Int,
               content: (_ path: [Int32]) -> NodeContent) -> [[String: Any]] {
        var rowOf: [[Int32]: Int] = [:]
        for level in levels { for (row, path) in level.enumerated() { rowOf[path] = row } }
        func node(_ path: [Int32], groupPos: Int, treePath: [Int]) -> [String: Any]? {
            let depth = path.count
            let page = depth > 0 && depth - 1 < pages.count ? pages[depth - 1] : nil
            let row = depth == 0 ? 0 : rowOf[path] ?? 0
            if let page, !page.rows.contains(row) { return nil }
            let shown = content(path)
            let measureColumns = (page?.measures ?? 0..<measureCount).clamped(to: 0..<measureCount)
            let kids = children[path] ?? []
            let childNodes = depth < levels.count
                ? kids.enumerated().compactMap { node(path + [$0.element], groupPos: $0.offset, treePath: depth == 0 ? [] : treePath + [groupPos]) }
                : []
            // Each measure's positive and negative totals over the node's children (its own value for a leaf).
            let childValues = depth < levels.count ? kids.map { content(path + [$0]).measures } : [shown.measures]
            let element = path.last ?? -1
            let text: String = shown.value.map { $0.isNull ? "-" : $0.displayText ?? "" } ?? ""
            return [
                "qText": text, "qValue": Self.number(shown.value), "qElemNo": Int(element),
                "qGroupPos": groupPos, "qGroupSize": kids.count, "qRow": row,
                "qType": depth == 0 ? "R" : shown.value?.isNull == true ? "U" : "N",
                "qValues": measureColumns.map { index -> [String: Any] in
                    let value = shown.measures[index]
                    return ["qText": value.isNull ? "-" : value.displayText ?? "", "qValue": Self.number(value),
                            "qAttrExps": ["qValues": [Any]()], "qAttrDims": ["qValues": [Any]()]]
                },
                "qNodes": childNodes,
                "qAttrExps": ["qValues": [Any]()], "qAttrDims": ["qValues": [Any]()],
                "qMaxPos": measureColumns.map { index in childValues.reduce(0.0) { $0 + max(0, $1[index].number.flatMap { $0.isFinite ? $0 : nil } ?? 0) } },
                "qMinNeg": measureColumns.map { index in childValues.reduce(0.0) { $0 + min(0, $1[index].number.flatMap { $0.isFinite ? $0 : nil } ?? 0) } },
                "qState": shown.state,
                "qTreePath": depth == 0 ? [] : treePath,
            ]
        }
        return node([], groupPos: 0, treePath: []).map { [$0] } ?? []
    }

    /// How many nodes (the root included) ``nodes(pages:measureCount:content:)`` answers for these pages.
    func nodeCount(pages: [(rows: Range<Int>, measures: Range<Int>)?]) -> Int {
        var count = 1
        var kept: Set<[Int32]> = [[]]
        for (depth, level) in levels.enumerated() {
            let page = depth < pages.count ? pages[depth] : nil
            var next: Set<[Int32]> = []
            for (row, path) in level.enumerated() where kept.contains(Array(path.dropLast())) && (page?.rows.contains(row) ?? true) { next.insert(path) }
            count += next.count
            kept = next
        }
        return count
    }

    /// A value as NxTreeNode's qValue: its number, or "NaN" as the engine writes a value that is none.
    private static func number(_ value: QlikValue?) -> Any {
        value?.number.flatMap { $0.isFinite ? $0 : nil } ?? "NaN"
    }
}
