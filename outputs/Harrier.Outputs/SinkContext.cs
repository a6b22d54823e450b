using Microsoft.Extensions.Logging;

namespace Harrier.Outputs;

/// <summary>What a <see cref="ISinkFactory"/> gets to build one sink.</summary>
public sealed record SinkContext(SinkOptions Options, ILoggerFactory LoggerFactory, TimeProvider Time, ISinkHealth Health);
