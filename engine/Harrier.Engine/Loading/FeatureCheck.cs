namespace Harrier.Engine.Loading;

/// <summary>One probed capability: whether it works here, and the error when not.</summary>
internal sealed record FeatureCheck(string Name, bool Supported, string Detail);
