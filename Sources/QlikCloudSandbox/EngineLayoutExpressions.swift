import Foundation

/// Expressions inside an object's properties, computed in its layout as the
/// engine does: `{"qStringExpression": {"qExpr": "='Revenue ' & Year(Today())"}}`
/// becomes the text it evaluates to, `{"qValueExpression": {"qExpr": "=Sum(Amount)"}}` the number, and a
/// `qStaticContentUrlDef` its `qStaticContentUrl`.
extension EngineConversation {
    mutating func evaluatingExpressions(_ value: Any) async -> Any {
        if let members = value as? [String: Any] {
            if members.count == 1, let expression = (members["qStringExpression"] as? [String: Any])?["qExpr"] as? String {
                return await layoutValue(of: expression).text
            }
            if members.count == 1, let expression = (members["qValueExpression"] as? [String: Any])?["qExpr"] as? String {
                return await layoutValue(of: expression).number ?? 0
            }
            var result: [String: Any] = [:]
            for (key, member) in members where key != "qStaticContentUrlDef" { result[key] = await evaluatingExpressions(member) }
            // A content URL definition (a sheet's thumbnail) shows as the URL it resolves to.
            if let definition = members["qStaticContentUrlDef"] as? [String: Any] { result["qStaticContentUrl"] = ["qUrl": definition["qUrl"] as? String ?? ""] }
            return result
        }
        if let values = value as? [Any] {
            var result: [Any] = []
            for element in values { result.append(await evaluatingExpressions(element)) }
            return result
        }
        return value
    }

    /// An expression's value with the session's selections; one that does not evaluate shows the engine's error text.
    private mutating func layoutValue(of expression: String) async -> (text: String, number: Double?) {
        let text = expression.hasPrefix("=") ? String(expression.dropFirst()) : expression
        do {
            let value = try await evaluate(text)
            return (value.isNull ? "-" : value.displayText ?? "", value.number)
        } catch {
            return ("Error: \(error.message)", nil)
        }
    }
}
