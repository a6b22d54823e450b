using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Configuration;

/// <summary>A built configuration and the files it was read from, in the order applied (later wins).</summary>
/// <param name="Root">The merged configuration.</param>
/// <param name="Files">The base file then the drop-ins.</param>
internal sealed record LoadedConfiguration(IConfigurationRoot Root, IReadOnlyList<string> Files);
