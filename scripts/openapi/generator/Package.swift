// swift-tools-version: 6.0
// Builds Apple's swift-openapi-generator for scripts/openapi/generate, which writes the code committed under
// Sources/ConnectorAPI/Generated. A package of its own so the connector's build never compiles the generator
// (OpenAPIKit, Yams and swift-syntax would add minutes to every clean build).
import PackageDescription

let package = Package(
    name: "OpenAPIGeneratorHelper",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
    ]
)
